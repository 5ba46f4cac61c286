using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Mqtt;
using Canopy.Core.States;

namespace Canopy.Cluster.Tests.Nodes;

/// <summary>root → cluster → node and back: deploy, status reports, metrics, undeploy, waiting for capacity.</summary>
public class DeploymentTests(ITestOutputHelper output) : ClusterTest(output)
{

    [Fact]
    public async Task Deploy_ReachesNode_AndItsRunningReachesRoot()
    {
        await using var node = await FakeNode.StartAsync(Cluster, "worker-1", new FakeNodeOptions { AutoRun = false });
        await WaitUntilActiveAsync(node);
        var spec = Specs.Exec();

        await Root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 0));

        var (_, payload) = await node.Commands.WaitForAsync(c => c.Kind == "deploy", "control/deploy at the node");
        var command = CanopyJson.Deserialize<DeployCommand>(payload)!;
        command.Service.ServiceId.ShouldBe(spec.ServiceId);
        command.Service.Cmd.ShouldBe(spec.Cmd);
        command.InstanceNumber.ShouldBe(0);
        var scheduled = await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.NodeScheduled, "NODE_SCHEDULED at the root");
        scheduled.NodeId.ShouldBe(node.Id);
        scheduled.NodeName.ShouldBe("worker-1");

        await node.ReportAsync(spec.ServiceId, 0, InstanceStatus.Running);

        var running = await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running, "RUNNING at the root");
        running.ServiceId.ShouldBe(spec.ServiceId);
        running.JobName.ShouldBe(spec.JobName);
        running.NodeId.ShouldBe(node.Id);
        running.Pid.ShouldBe(4242);
        var metrics = await Root.WaitForAsync(LinkMessageTypes.InstanceMetrics);
        metrics.Read<InstanceMetrics>().Instances.ShouldContain(i => i.ServiceId == spec.ServiceId && i.CpuPercent == 1.5);
    }

    [Fact]
    public async Task Undeploy_DeletesOnNode_ThenRootHearsUndeployed()
    {
        await using var node = await FakeNode.StartAsync(Cluster, "worker-1");
        await WaitUntilActiveAsync(node);
        var spec = Specs.Exec();
        await Root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 0));
        await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running, "RUNNING at the root");

        await Root.SendAsync(LinkMessageTypes.Undeploy, new UndeployInstance(spec.ServiceId, -1));

        var (_, payload) = await node.Commands.WaitForAsync(c => c.Kind == "delete", "control/delete at the node");
        CanopyJson.Deserialize<DeleteCommand>(payload)!.ServiceId.ShouldBe(spec.ServiceId);
        await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.Undeployed && r.ServiceId == spec.ServiceId, "UNDEPLOYED at the root");
        (await Cluster.InstancesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Undeploy_UnknownInstance_IsReportedUndeployed()
    {
        await Root.SendAsync(LinkMessageTypes.Undeploy, new UndeployInstance("0000000000000000000000aa", 3));

        var report = await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.Undeployed, "UNDEPLOYED at the root");
        report.ServiceId.ShouldBe("0000000000000000000000aa");
        report.InstanceNumber.ShouldBe(3);
    }

    [Fact]
    public async Task Deploy_WithoutNodes_WaitsForCapacity_ThenRunsOnArrivingNode()
    {
        var spec = Specs.Exec();
        await Root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 0));
        var waiting = await Root.WaitForStatusAsync(r => r.Status.IsNegativeScheduling(), "a negative scheduling status");
        waiting.StatusDetail.ShouldNotBeNullOrEmpty();

        await using var node = await FakeNode.StartAsync(Cluster, "late-worker");

        await node.Commands.WaitForAsync(c => c.Kind == "deploy", "control/deploy at the late node");
        var running = await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running, "RUNNING at the root");
        running.NodeName.ShouldBe("late-worker");
    }

    [Fact]
    public async Task Deploy_TooBigForEveryNode_StaysNegativeWithReason()
    {
        await using var node = await FakeNode.StartAsync(Cluster, "small-worker", new FakeNodeOptions { MemoryTotal = 512 });
        await WaitUntilActiveAsync(node);

        await Root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(Specs.Exec(memory: 100_000), 0));

        var report = await Root.WaitForStatusAsync(r => r.Status.IsNegativeScheduling(), "a negative scheduling status");
        Output.WriteLine($"{report.Status}: {report.StatusDetail}");
        node.Commands.Snapshot().ShouldNotContain(c => c.Kind == "deploy");
    }

    private Task WaitUntilActiveAsync(FakeNode node) =>
        Waits.UntilAsync(async () => (await Cluster.NodesAsync()).Any(n => n.Id == node.Id && n.Active), $"node {node.Host} is active");
}
