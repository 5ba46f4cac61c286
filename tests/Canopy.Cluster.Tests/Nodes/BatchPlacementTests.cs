using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Mqtt;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.Cluster.Tests.Nodes;

/// <summary>
/// Many deploys back to back (a scale): the ones that queue up while the cluster is busy are placed in one pass. Whether they
/// batch or not, each instance number ends up placed once, on one node, within every node's capacity.
/// </summary>
public sealed class BatchPlacementTests(ITestOutputHelper output) : ClusterTest(output)
{
    [Fact]
    public async Task ManyDeploys_EachNumberPlacedOnce_NoNodeBeyondItsCapacity()
    {
        // 1,024 MB per node and 250 MB per instance: four fit on each node, twelve in all, of twenty asked for. The nodes answer a
        // deploy with CREATING and stop there.
        var options = new FakeNodeOptions { MemoryTotal = 1024, AutoRun = false };
        await using var first = await FakeNode.StartAsync(Cluster, "worker-1", options);
        await using var second = await FakeNode.StartAsync(Cluster, "worker-2", options);
        await using var third = await FakeNode.StartAsync(Cluster, "worker-3", options);
        FakeNode[] nodes = [first, second, third];
        await Waits.UntilAsync(async () => (await Cluster.NodesAsync()).Count(n => n.Active) == 3, "three nodes active");
        var spec = Specs.Exec(memory: 250);

        for (var number = 0; number < 20; number++)
        {
            await Root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, number));
        }

        var instances = await Wait.ForAsync(Cluster.InstancesAsync,
            all => all.Count == 20 && all.All(i => i.Status.IsPlacedOnNode() || i.Status.IsNegativeScheduling()),
            Waits.Default, "twenty instances, each placed or waiting for capacity");

        instances.Select(i => i.InstanceNumber).Order().ShouldBe(Enumerable.Range(0, 20));
        var placed = instances.Where(i => i.Status.IsPlacedOnNode()).ToList();
        placed.Count.ShouldBe(12);
        placed.GroupBy(i => i.NodeId).ShouldAllBe(g => g.Count() == 4);
        instances.Where(i => !i.Status.IsPlacedOnNode()).ShouldAllBe(i => i.NodeId == null);

        // Each placed number reached its node once, and no other node.
        var deployed = await Wait.ForAsync(() => Task.FromResult(nodes.SelectMany(n => n.Commands.Snapshot()
                .Where(c => c.Kind == "deploy")
                .Select(c => (Node: n.Id, CanopyJson.Deserialize<DeployCommand>(c.Payload)!.InstanceNumber))).ToList()),
            all => all.Count >= 12, Waits.Default, "twelve deploy commands at the nodes");
        deployed.Count.ShouldBe(12);
        deployed.OrderBy(d => d.InstanceNumber).ShouldBe(placed.Select(i => (i.NodeId!, i.InstanceNumber)).OrderBy(d => d.InstanceNumber));
    }
}
