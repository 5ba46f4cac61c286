using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Mqtt;
using Canopy.Core.States;

namespace Canopy.Cluster.Tests.Nodes;

/// <summary>A node's inventory (<c>jobs/resources</c>) and the cluster's records are made to agree.</summary>
public class InventoryTests(ITestOutputHelper output) : ClusterTest(output)
{

    [Fact]
    public async Task UnknownInstanceOnNode_IsDeletedThere()
    {
        await using var node = await FakeNode.StartAsync(Cluster, "worker-1");

        node.Pretend("00000000000000000000beef", 7, InstanceStatus.Running);

        var (_, payload) = await node.Commands.WaitForAsync(c => c.Kind == "delete", "control/delete of the unknown instance");
        var delete = CanopyJson.Deserialize<DeleteCommand>(payload)!;
        delete.ServiceId.ShouldBe("00000000000000000000beef");
        delete.InstanceNumber.ShouldBe(7);
        (await Cluster.InstancesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task InstanceTheNodeNoLongerReports_IsDeployedAgain()
    {
        await using var node = await FakeNode.StartAsync(Cluster, "worker-1");
        var spec = Specs.Exec();
        await Root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 0));
        await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running, "RUNNING at the root");

        node.Forget(spec.ServiceId, 0);

        await node.Commands.WaitForAsync(
            c => c.Kind == "deploy" && node.Commands.Snapshot().Count(d => d.Kind == "deploy") >= 2, "a second control/deploy");
    }

    [Fact]
    public async Task InstanceWaitingForCapacity_IsAdoptedByTheNodeThatRunsIt()
    {
        await using var node = await FakeNode.StartAsync(Cluster, "small", new FakeNodeOptions { MemoryTotal = 512 });
        var spec = Specs.Exec(memory: 2048);
        await Root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 0));
        await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.NoWorkerCapacity, "NO_WORKER_CAPACITY");

        node.Pretend(spec.ServiceId, 0, InstanceStatus.Running);

        var adopted = await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running, "RUNNING after adoption");
        adopted.NodeId.ShouldBe(node.Id);
        adopted.StatusDetail.ShouldBe("adopted on node small");
        node.Commands.Snapshot().ShouldNotContain(c => c.Kind == "deploy" || c.Kind == "delete");
    }
}
