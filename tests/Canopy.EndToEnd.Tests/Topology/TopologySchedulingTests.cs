using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;
using Xunit.Abstractions;

namespace Canopy.EndToEnd.Tests.Topology;

/// <summary>
/// The scheduling algorithm chosen per tier (<c>--scheduler</c>) decides on real hosts, and an instance that its cluster cannot
/// place on any one worker (its free memory scattered over workers) goes back to the root, which places it on the other cluster.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TopologySchedulingTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string[]> Schedulers = new()
    {
        ["root"] = ["--scheduler", "first-fit"],
        ["c0"] = ["--scheduler", "round-robin"],
        ["c1"] = ["--scheduler", "round-robin"],
    };

    [Fact]
    public async Task RootFirstFit_ClusterRoundRobin_ScatteredCapacityIsHandedBackToTheRoot()
    {
        Requirements.Check();
        var topology = await Canopy.Testing.Topology.StartAsync(clusters: 2, workers: 2, hostArgs: Schedulers);
        await topology.RunAsync(async () =>
        {
            using var api = await topology.ApiAsync();

            // first-fit at the root: every instance to the same cluster while it has room; round-robin there: 2 per worker.
            var spread = await TopologyServices.DeploySleeperAsync(topology, api, "spread", 16, null);
            await TopologyServices.ScaleAsync(topology, "spread", 4);
            var placed = await TopologyServices.RunningAsync(api, spread, 4);
            placed.Select(i => i.ClusterName).Distinct().Count().ShouldBe(1, "root first-fit puts all on its first cluster");
            var first = placed[0].ClusterName!;
            placed.GroupBy(i => i.NodeName).Select(g => g.Count()).ShouldBe([2, 2], ignoreOrder: true, "cluster round-robin alternates workers");
            output.WriteLine($"spread: 4 on {first}, 2 per worker");

            // Two instances of 60 % of a worker's memory fill both workers of that cluster: 80 % of one worker is left there in total,
            // but only 40 % on each. A service of 50 % fits the cluster's total, so first-fit sends it there; no worker can take it.
            var workerMemory = (await api.GetJsonAsync<List<NodeDocument>>("api/v1/nodes")).Min(n => n.MemoryTotal);
            var filler = await TopologyServices.DeploySleeperAsync(topology, api, "filler", workerMemory * 6 / 10, null);
            await TopologyServices.ScaleAsync(topology, "filler", 2);
            (await TopologyServices.RunningAsync(api, filler, 2)).ShouldAllBe(i => i.ClusterName == first);

            var mover = await TopologyServices.DeploySleeperAsync(topology, api, "mover", workerMemory * 5 / 10, null);
            var moved = (await TopologyServices.RunningAsync(api, mover, 1, TimeSpan.FromSeconds(40))).Single();
            var story = TopologyServices.Story(await TopologyServices.DetailAsync(api, mover, moved.InstanceNumber));
            output.WriteLine($"mover RUNNING on {moved.ClusterName}/{moved.NodeName}; events:\n  {story}");
            moved.ClusterName.ShouldNotBe(first, "handed back by the full cluster and placed on the other one");
            story.ShouldContain($"handed back by cluster {first}");
            story.ShouldContain(InstanceStatus.NoWorkerCapacity.ToString());

            // Nothing else moved, and every service has exactly what it asked for.
            (await api.ServiceAsync(spread)).InstanceList.Count.ShouldBe(4);
            (await api.ServiceAsync(filler)).InstanceList.Count.ShouldBe(2);
            (await api.ServiceAsync(mover)).InstanceList.Count.ShouldBe(1);
        }, output.WriteLine, h => h.Role != "node");
    }
}
