using Canopy.Cluster.Broker.KeepAlive;

namespace Canopy.Cluster.Tests.Broker.KeepAlive;

/// <summary>MQTT's 1.5 × keep-alive, plus the grace.</summary>
public sealed class KeepAliveRuleTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(250);

    [Theory]
    [InlineData(1, 1749, false)]
    [InlineData(1, 1751, true)]
    [InlineData(2, 3249, false)]
    [InlineData(2, 3251, true)]
    public void A_client_is_overdue_after_one_and_a_half_keep_alives_and_the_grace(int keepAlive, int silentMs, bool overdue) =>
        KeepAliveRule.IsOverdue(TimeSpan.FromMilliseconds(silentMs), keepAlive, Grace).ShouldBe(overdue);

    [Fact]
    public void A_client_without_keep_alive_is_never_overdue() =>
        KeepAliveRule.IsOverdue(TimeSpan.FromHours(10), 0, Grace).ShouldBeFalse();

    [Theory]
    [InlineData(1, 3, false)]
    [InlineData(3, 3, false)]
    [InlineData(10, 5000, false)]
    [InlineData(500, 5000, false)]
    [InlineData(2501, 5000, true)]
    [InlineData(10, 12, true)]
    public void Most_clients_late_at_once_is_a_stall_but_a_few_failing_links_are_not(int late, int watched, bool stall) =>
        KeepAliveRule.LooksLikeAStall(late, watched).ShouldBe(stall);

    [Fact]
    public void A_client_is_late_once_it_missed_the_packet_its_keep_alive_promised()
    {
        KeepAliveRule.IsLate(TimeSpan.FromMilliseconds(999), 1).ShouldBeFalse();
        KeepAliveRule.IsLate(TimeSpan.FromMilliseconds(1001), 1).ShouldBeTrue();
        KeepAliveRule.IsLate(TimeSpan.FromHours(1), 0).ShouldBeFalse();
    }
}
