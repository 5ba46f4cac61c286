using Canopy.Cluster.RootLink;

namespace Canopy.Cluster.Tests.RootLink;

public sealed class FailoverPaceTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(10);

    [Fact]
    public void One_root_backs_off_as_before()
    {
        var addresses = Addresses("https://a:10000");
        var pace = new FailoverPace(addresses, Short, Min, Max);

        var waits = Enumerable.Range(0, 8).Select(_ => pace.Failed()).ToList();

        waits[0].ShouldBe(Min);
        waits[1].ShouldBe(Min * 2);
        waits[^1].ShouldBe(Max);
        addresses.Current.ShouldBe("https://a:10000");
        pace.Lost().ShouldBe(Min);
    }

    [Fact]
    public void Replicas_are_tried_in_turn_quickly_and_a_round_of_failures_backs_off_at_most_a_second()
    {
        var addresses = Addresses("https://a:10000,https://b:10000,https://c:10000");
        var pace = new FailoverPace(addresses, Short, Min, Max);

        pace.Lost().ShouldBe(TimeSpan.Zero, "the link to a broke: b at once");
        addresses.Current.ShouldBe("https://b:10000");
        pace.Failed().ShouldBe(Short);
        addresses.Current.ShouldBe("https://c:10000");
        pace.Failed().ShouldBe(Min, "a whole round failed");
        addresses.Current.ShouldBe("https://a:10000");

        var later = Enumerable.Range(0, 12).Select(_ => pace.Failed()).ToList();
        later.Max().ShouldBe(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_leader_hint_is_followed_at_once_but_two_replicas_naming_each_other_do_not_spin()
    {
        var addresses = Addresses("https://a:10000,https://b:10000");
        var pace = new FailoverPace(addresses, Short, Min, Max);

        pace.Failed("https://c:10000").ShouldBe(TimeSpan.Zero);
        addresses.Current.ShouldBe("https://c:10000");
        addresses.Count.ShouldBe(3, "the leader's address is learned");
        pace.Failed("https://a:10000").ShouldBe(Short);
        addresses.Current.ShouldBe("https://a:10000");
    }

    [Fact]
    public void An_https_cluster_never_follows_a_hint_or_a_replica_to_plain_http()
    {
        var addresses = Addresses("https://a:10000");

        addresses.MoveTo("http://evil:10000").ShouldBeFalse();
        addresses.Learn(["http://evil:10000", "https://b:10000/"]).ShouldBeTrue();

        addresses.All.ShouldBe(["https://a:10000", "https://b:10000"]);
    }

    private static RootAddresses Addresses(string rootUrl) => new(new ClusterOptions { DataDir = "/nonexistent", RootUrl = rootUrl });
}
