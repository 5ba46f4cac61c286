using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Root.Tests.Infrastructure;
using static Canopy.Root.Tests.Infrastructure.Workloads;

namespace Canopy.Root.Tests.Events;

/// <summary>Node liveness as the cluster tells it over its link, and cluster liveness as the root sees it, in the event stream.</summary>
public class LivenessEventTests : RootTestBase
{
    private protected override void Tweak(RootOptions options) => options.ClusterHeartbeatTimeout = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_node_the_cluster_reports_inactive_then_active_is_two_node_events()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");

        await cluster.SendAsync(LinkMessageTypes.NodeStatus, new NodeLivenessChange("n-1", "vm-1", false, "it went offline (its MQTT connection ended)"));
        await cluster.SendAsync(LinkMessageTypes.NodeStatus, new NodeLivenessChange("n-1", "vm-1", true, "it reports again"));

        var events = await Eventually.ValueAsync(() => EventsAsync(Root, "kind=node"), l => l.Count == 2, "two node events");
        events.Select(e => (e.Status, e.Reason)).ShouldBe([("inactive", "it went offline (its MQTT connection ended)"), ("active", "it reports again")]);
        events.ShouldAllBe(e => e.NodeName == "vm-1" && e.NodeId == "n-1" && e.ClusterName == "edge-1" && e.ClusterId == cluster.Id);
        (await EventsAsync(Root, "node=vm-1")).Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_cluster_that_links_goes_and_links_again_is_active_inactive_active()
    {
        var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        await Eventually.ValueAsync(() => EventsAsync(Root, "kind=cluster"), l => l.Count == 1, "the cluster active");

        await cluster.CloseAsync();
        await cluster.DisposeAsync();
        await Eventually.ValueAsync(() => EventsAsync(Root, "kind=cluster"), l => l.Count == 2, "the cluster inactive");
        await using var back = await FakeCluster.ConnectAgainAsync(Root, cluster);

        var events = await Eventually.ValueAsync(() => EventsAsync(Root, "kind=cluster"), l => l.Count == 3, "the cluster active again");
        events.Select(e => (e.Status, e.Reason)).ShouldBe([
            ("active", "linked to the root and reporting its resources"),
            ("inactive", "its link to the root is down"),
            ("active", "linked to the root and reporting again"),
        ]);
        events.ShouldAllBe(e => e.ClusterName == "edge-1" && e.ClusterId == cluster.Id);
    }
}

/// <summary>
/// With the default heartbeat timeout: a root gives its clusters 5 s after it starts to link again before it calls one inactive, and a
/// busy test machine needs them.
/// </summary>
public class RootRestartLivenessTests : RootTestBase
{
    [Fact]
    public async Task A_restarted_root_does_not_tell_again_what_it_told_before()
    {
        await using var before = await FakeCluster.ConnectAsync(Root, "edge-1");
        await Eventually.ValueAsync(() => EventsAsync(Root, "kind=cluster"), l => l.Count == 1, "the cluster active");

        await RestartAsync();
        await using var back = await FakeCluster.ConnectAgainAsync(Root, before);
        await Eventually.ValueAsync(() => Root.Client.GetFromJsonAsync<List<ClusterDocument>>("/api/clusters/active", CanopyJson.Options),
            l => l is { Count: 1 }, "the cluster active again");

        (await EventsAsync(Root, "kind=cluster")).ShouldHaveSingleItem().Status.ShouldBe("active");
    }
}
