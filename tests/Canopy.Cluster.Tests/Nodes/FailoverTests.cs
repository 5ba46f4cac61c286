using Canopy.Cluster.Tests.Support;
using Canopy.Contracts.Link;
using Canopy.Core.States;

namespace Canopy.Cluster.Tests.Nodes;

/// <summary>A node dies: its instances move to another node, fast through the last will, or after the heartbeat timeout.</summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task LastWill_ReschedulesInstanceToOtherNodeWithinSeconds()
    {
        await using var root = await FakeRoot.StartAsync();

        // A heartbeat timeout far beyond the test's deadline: only the last will can explain a quick move.
        await using var cluster = await TestCluster.StartAsync(output, root, o => o.NodeHeartbeatTimeout = TimeSpan.FromMinutes(2));
        await using var doomed = await FakeNode.StartAsync(cluster, "doomed", new FakeNodeOptions { ThroughCable = true });
        await WaitUntilActiveAsync(cluster, doomed);
        var spec = Specs.Exec();
        await root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 0));
        await root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running && r.NodeId == doomed.Id, "RUNNING on the first node");
        await using var survivor = await FakeNode.StartAsync(cluster, "survivor");
        await WaitUntilActiveAsync(cluster, survivor);

        doomed.Crash();

        var moved = await root.WaitForStatusAsync(
            r => r.Status == InstanceStatus.NodeScheduled && r.NodeId == survivor.Id, "NODE_SCHEDULED on the survivor", TimeSpan.FromSeconds(5));
        moved.ServiceId.ShouldBe(spec.ServiceId);
        await survivor.Commands.WaitForAsync(c => c.Kind == "deploy", "control/deploy at the survivor");
        await root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running && r.NodeId == survivor.Id, "RUNNING on the survivor");
        (await cluster.NodesAsync()).Single(n => n.Id == doomed.Id).Active.ShouldBeFalse();
    }

    [Fact]
    public async Task SilentNode_IsInactiveAfterHeartbeatTimeout_AndItsInstanceMoves()
    {
        await using var root = await FakeRoot.StartAsync();
        await using var cluster = await TestCluster.StartAsync(output, root, o => o.NodeHeartbeatTimeout = TimeSpan.FromSeconds(2));
        var silent = await FakeNode.StartAsync(cluster, "silent");
        await WaitUntilActiveAsync(cluster, silent);
        var spec = Specs.Exec();
        await root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 0));
        await root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running && r.NodeId == silent.Id, "RUNNING on the first node");
        await using var survivor = await FakeNode.StartAsync(cluster, "survivor");
        await WaitUntilActiveAsync(cluster, survivor);

        // A clean MQTT disconnect discards the will: only the missing heartbeats tell.
        await silent.DisposeAsync();

        await root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running && r.NodeId == survivor.Id, "RUNNING on the survivor");
        (await cluster.NodesAsync()).Single(n => n.Id == silent.Id).Active.ShouldBeFalse();
    }

    [Fact]
    public async Task LostNode_NoOtherNode_InstanceWaitsForCapacity_ThenRunsWhenNodeReturns()
    {
        await using var root = await FakeRoot.StartAsync();
        await using var cluster = await TestCluster.StartAsync(output, root, o => o.NodeHeartbeatTimeout = TimeSpan.FromSeconds(2));
        var first = await FakeNode.StartAsync(cluster, "flaky");
        await WaitUntilActiveAsync(cluster, first);
        var spec = Specs.Exec();
        await root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 0));
        await root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running, "RUNNING on the node");

        await first.DisposeAsync();
        await root.WaitForStatusAsync(r => r.Status == InstanceStatus.NoWorkerCapacity, "NO_WORKER_CAPACITY once the node is lost");
        await using var back = await FakeNode.StartAsync(cluster, "flaky");

        back.Id.ShouldBe(first.Id);
        await root.WaitForStatusAsync(
            r => r.Status == InstanceStatus.Running && r.NodeId == back.Id && r.Timestamp > DateTimeOffset.UtcNow.AddSeconds(-5), "RUNNING on the returned node");
    }

    private static Task WaitUntilActiveAsync(TestCluster cluster, FakeNode node) =>
        Waits.UntilAsync(async () => (await cluster.NodesAsync()).Any(n => n.Id == node.Id && n.Active), $"node {node.Host} is active");
}
