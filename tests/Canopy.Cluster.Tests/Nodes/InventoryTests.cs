using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Mqtt;
using Canopy.Core.States;

namespace Canopy.Cluster.Tests.Nodes;

/// <summary>A node's inventory (<c>jobs/resources</c>) and the cluster's records are made to agree.</summary>
public sealed class InventoryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private FakeRoot _root = null!;
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _root = await FakeRoot.StartAsync();
        _cluster = await TestCluster.StartAsync(output, _root);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _root.DisposeAsync();
    }

    [Fact]
    public async Task UnknownInstanceOnNode_IsDeletedThere()
    {
        await using var node = await FakeNode.StartAsync(_cluster, "worker-1");

        node.Pretend("00000000000000000000beef", 7, InstanceStatus.Running);

        var (_, payload) = await node.Commands.WaitForAsync(c => c.Kind == "delete", "control/delete of the unknown instance");
        var delete = CanopyJson.Deserialize<DeleteCommand>(payload)!;
        delete.ServiceId.ShouldBe("00000000000000000000beef");
        delete.InstanceNumber.ShouldBe(7);
        (await _cluster.InstancesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task InstanceTheNodeNoLongerReports_IsDeployedAgain()
    {
        await using var node = await FakeNode.StartAsync(_cluster, "worker-1");
        var spec = Specs.Exec();
        await _root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 0));
        await _root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running, "RUNNING at the root");

        node.Forget(spec.ServiceId, 0);

        await node.Commands.WaitForAsync(
            c => c.Kind == "deploy" && node.Commands.Snapshot().Count(d => d.Kind == "deploy") >= 2, "a second control/deploy");
    }

    [Fact]
    public async Task InstanceWaitingForCapacity_IsAdoptedByTheNodeThatRunsIt()
    {
        await using var node = await FakeNode.StartAsync(_cluster, "small", new FakeNodeOptions { MemoryTotal = 512 });
        var spec = Specs.Exec(memory: 2048);
        await _root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 0));
        await _root.WaitForStatusAsync(r => r.Status == InstanceStatus.NoWorkerCapacity, "NO_WORKER_CAPACITY");

        node.Pretend(spec.ServiceId, 0, InstanceStatus.Running);

        var adopted = await _root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running, "RUNNING after adoption");
        adopted.NodeId.ShouldBe(node.Id);
        adopted.StatusDetail.ShouldBe("adopted on node small");
        node.Commands.Snapshot().ShouldNotContain(c => c.Kind == "deploy" || c.Kind == "delete");
    }
}
