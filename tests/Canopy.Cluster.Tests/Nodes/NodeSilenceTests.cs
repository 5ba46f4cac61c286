using Canopy.Cluster.Nodes;

namespace Canopy.Cluster.Tests.Nodes;

/// <summary>The failure detector's fallback: when a node whose will never came counts as lost.</summary>
public sealed class NodeSilenceTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(30);

    [Fact]
    public void HeardSinceStart_IsLostOnlyAfterTheTimeout()
    {
        var heard = Start.AddMinutes(10);
        NodeSilence.Judge(heard, Start, heard.AddSeconds(149), Timeout, Reconnect).ShouldBeNull();
        NodeSilence.Judge(heard, Start, heard.AddSeconds(151), Timeout, Reconnect).ShouldNotBeNull().ShouldContain("150 s");
    }

    [Fact]
    public void NotHeardSinceStart_GetsTheReconnectTimeout()
    {
        NodeSilence.Judge(null, Start, Start.AddSeconds(29), Timeout, Reconnect).ShouldBeNull();
        NodeSilence.Judge(null, Start, Start.AddSeconds(31), Timeout, Reconnect).ShouldNotBeNull().ShouldContain("reconnect");
        NodeSilence.Judge(Start.AddSeconds(-5), Start, Start.AddSeconds(31), Timeout, Reconnect).ShouldNotBeNull("what was heard before the start does not count");
    }
}
