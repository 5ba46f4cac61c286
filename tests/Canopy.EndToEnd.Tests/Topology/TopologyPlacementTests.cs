using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;
using Xunit.Abstractions;

namespace Canopy.EndToEnd.Tests.Topology;

/// <summary>
/// "Many machines, many clusters": 2 clusters × 2 workers with non-canonical resources. What each cluster aggregates and
/// reports to the root, and placement across both tiers with constraints (direct, clusters, geo, needs, unknown cluster,
/// too big, reservations).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TopologyPlacementTests(ITestOutputHelper output)
{
    /// <summary>Near cluster-1's location (49.1,12.5); cluster-0 (48.1,11.5) is about 134 km away.</summary>
    private const string NearCluster1 = "49.12,12.52";

    private static readonly Dictionary<string, string[]> WorkerArgs = new()
    {
        ["c0w0"] = ["--resource", "solar_watts=40", "--resource", "features=x"],
        ["c0w1"] = ["--resource", "solar_watts=40"],
        ["c1w0"] = ["--resource", "features=y", "--location", NearCluster1],
        ["c1w1"] = ["--resource", "gpu_model=a2", "--resource", "features=z", "--location", NearCluster1],
    };

    [Fact]
    public async Task TwoClustersTwoWorkers_AggregatesNonCanonicalResources_PlacesByConstraints()
    {
        Requirements.Check();
        var topology = await Canopy.Testing.Topology.StartAsync(clusters: 2, workers: 2, hostArgs: WorkerArgs);
        await topology.RunAsync(async () =>
        {
            output.WriteLine($"topology {topology.Tag} up in {topology.StartupTime.TotalSeconds:0.0} s, root at {topology.RootUrl}");
            using var api = await topology.ApiAsync();
            await CheckAggregationAsync(topology, api);
            await CheckPlacementAsync(topology, api);
        }, output.WriteLine, lines: 15);

        Canopy.Testing.Topology.Leftovers(topology.Tag).ShouldBeEmpty();
    }

    [Fact]
    public async Task FullClusters_NineInstancesOfFortyPercent_EightRunTwoPerWorker_TheNinthIsRefused()
    {
        Requirements.Check();
        var topology = await Canopy.Testing.Topology.StartAsync(clusters: 2, workers: 2);
        try
        {
            using var api = await topology.ApiAsync();
            var workerMemory = (await api.GetJsonAsync<List<NodeDocument>>("api/v1/nodes")).Min(n => n.MemoryTotal);
            var big = await TopologyServices.DeploySleeperAsync(topology, api, "big", workerMemory * 4 / 10, null);
            await TopologyServices.ScaleAsync(topology, "big", 9);
            var last = await EightOfNineRunningAsync(api, big);

            // The root sees a cluster's summed memory, not how it is split over workers: with 2 × 40 % on each worker a cluster still
            // shows 20 % of one worker free, so the root may send the ninth there and the cluster refuses it (NoWorkerCapacity, retried
            // and handed back to the root now and then), or the root refuses it itself. Either way it names the memory that is missing.
            var refused = last.InstanceList.Single(i => i.Status.IsNegativeScheduling());
            refused.Status.ShouldBeOneOf(InstanceStatus.NoWorkerCapacity, InstanceStatus.NoActiveClusterWithCapacity);
            refused.StatusDetail.ShouldNotBeNull().ShouldContain("insufficient memory");
        }
        finally
        {
            await topology.DisposeAsync();
        }

        Canopy.Testing.Topology.Leftovers(topology.Tag).ShouldBeEmpty();
    }

    private async Task CheckAggregationAsync(Canopy.Testing.Topology topology, HttpClient api)
    {
        // The extra keys arrive with the workers' next `information`; the cluster reports the aggregate at least every 5 s.
        var clusters = await Wait.ForAsync(() => api.GetJsonAsync<List<ClusterDocument>>("api/clusters/"),
            list => list.Count == 2 && list.All(c => c.Resources.ContainsKey("features") &&
                                                     (c.Resources["virtualization"]?.ToJsonString() ?? "").Contains("container", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), "both clusters reporting their workers' features and container runtime");
        foreach (var cluster in topology.Clusters)
        {
            var doc = clusters.Single(c => c.ClusterName == cluster.Name);
            var r = doc.Resources;
            output.WriteLine($"{cluster.Name}: {r.ToJsonString()}");
            var nodes = await api.GetJsonAsync<List<NodeDocument>>($"api/v1/nodes?cluster={cluster.Name}");
            nodes.Count.ShouldBe(2);
            doc.ActiveNodes.ShouldBe(2);
            r["active_nodes"]!.GetValue<int>().ShouldBe(2);
            r["vcpus"]!.GetValue<double>().ShouldBe(nodes.Sum(n => n.Vcpus), 0.01);
            r["memory_total"]!.GetValue<long>().ShouldBe(nodes.Sum(n => n.MemoryTotal));
            doc.MemoryInMb.ShouldBe(r["memory"]!.GetValue<long>()); // available memory, summed
            r["cpu_percent"]!.GetValue<double>().ShouldBeInRange(0, 100);
            r["memory_percent"]!.GetValue<double>().ShouldBeInRange(0, 100);
            Strings(r["architecture"]).ShouldBe(nodes.Select(n => n.Architecture).ToList(), ignoreOrder: true);
            var virtualization = Strings(r["virtualization"]);
            virtualization.ShouldBe(nodes.SelectMany(n => n.Virtualization).ToList(), ignoreOrder: true);
            virtualization.ShouldContain("container");
            virtualization.Count(v => v == "exec").ShouldBe(2);
        }

        var c0 = clusters.Single(c => c.ClusterName == "cluster-0").Resources;
        var c1 = clusters.Single(c => c.ClusterName == "cluster-1").Resources;

        // Numbers summed, strings appended into one list; a key only one worker reports is still the cluster's.
        c0["solar_watts"]!.GetValue<double>().ShouldBe(80);
        Strings(c0["features"]).ShouldBe(["x"]);
        c0.ContainsKey("gpu_model").ShouldBeFalse();
        Strings(c1["features"]).ShouldBe(["y", "z"], ignoreOrder: true);
        Strings(c1["gpu_model"]).ShouldBe(["a2"]);
        c1.ContainsKey("solar_watts").ShouldBeFalse();

        // The CLI shows the same aggregate.
        var cli = await topology.CliAsync("clusters", "-o", "json");
        cli.ExitCode.ShouldBe(0, cli.ToString());
        var listed = JsonNode.Parse(cli.StdOut)!.AsArray();
        var cli0 = listed.Single(c => c!["cluster_name"]!.GetValue<string>() == "cluster-0")!["resources"]!;
        cli0["solar_watts"]!.GetValue<double>().ShouldBe(80);
        var cli1 = listed.Single(c => c!["cluster_name"]!.GetValue<string>() == "cluster-1")!["resources"]!;
        Strings(cli1["gpu_model"]).ShouldBe(["a2"]);

        // Through the root to one cluster: its workers with their own resources.
        var nodesCli = await topology.CliAsync("nodes", "--cluster", "cluster-1", "-o", "json");
        nodesCli.ExitCode.ShouldBe(0, nodesCli.ToString());
        var perNode = JsonNode.Parse(nodesCli.StdOut)!.AsArray().ToDictionary(n => n!["name"]!.GetValue<string>(), n => n!);
        perNode.Keys.Order().ShouldBe(["c1w0", "c1w1"]);
        perNode["c1w1"]["gpu_model"]!.GetValue<string>().ShouldBe("a2");
        perNode["c1w1"]["features"]!.GetValue<string>().ShouldBe("z");
        perNode["c1w0"]["features"]!.GetValue<string>().ShouldBe("y");
        perNode["c1w0"].AsObject().ContainsKey("gpu_model").ShouldBeFalse();
        var table = await topology.CliAsync("nodes", "--cluster", "cluster-0");
        table.ExitCode.ShouldBe(0, table.ToString());
        table.StdOut.ShouldContain("c0w0");
        table.StdOut.ShouldContain("c0w1");
        table.StdOut.ShouldNotContain("c1w");
        var c0w0 = (await api.GetJsonAsync<List<NodeDocument>>("api/v1/nodes?cluster=cluster-0")).Single(n => n.Name == "c0w0");
        c0w0.Extra.ShouldNotBeNull()["solar_watts"].GetDouble().ShouldBe(40);
    }

    private async Task CheckPlacementAsync(Canopy.Testing.Topology topology, HttpClient api)
    {
        // direct: a cluster and a node of it.
        var direct = await TopologyServices.DeploySleeperAsync(topology, api, "direct", 32, """{"type": "direct", "cluster": "cluster-1", "node": "c1w1"}""");
        var placed = await TopologyServices.RunningAsync(api, direct, 1);
        placed.ShouldAllBe(i => i.ClusterName == "cluster-1" && i.NodeName == "c1w1");

        // clusters: only the allowed one, also for several instances.
        var allowed = await TopologyServices.DeploySleeperAsync(topology, api, "allowed", 32, """{"type": "clusters", "allowed": ["cluster-0"]}""");
        await TopologyServices.ScaleAsync(topology, "allowed", 3);
        placed = await TopologyServices.RunningAsync(api, allowed, 3);
        placed.ShouldAllBe(i => i.ClusterName == "cluster-0");

        // geo: within 50 km of cluster-1 (its workers are there too).
        var geo = await TopologyServices.DeploySleeperAsync(topology, api, "geo", 32, $$"""{"type": "geo", "location": "{{NearCluster1}}", "threshold": 50}""");
        await TopologyServices.ScaleAsync(topology, "geo", 2);
        placed = await TopologyServices.RunningAsync(api, geo, 2);
        placed.ShouldAllBe(i => i.ClusterName == "cluster-1");

        // needs: only cluster-1 has a gpu_model, and there only c1w1.
        var needs = await TopologyServices.DeploySleeperAsync(topology, api, "needs", 32, """{"type": "addons", "needs": ["gpu_model"]}""");
        await TopologyServices.ScaleAsync(topology, "needs", 2);
        placed = await TopologyServices.RunningAsync(api, needs, 2);
        placed.ShouldAllBe(i => i.ClusterName == "cluster-1" && i.NodeName == "c1w1");

        // A cluster nobody registered: a named negative status with a detail that names it.
        var unknown = await TopologyServices.DeploySleeperAsync(topology, api, "unknown", 32, """{"type": "direct", "cluster": "cluster-9"}""");
        var notFound = await Wait.ForAsync(() => api.ServiceAsync(unknown),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status == InstanceStatus.TargetClusterNotFound, TimeSpan.FromSeconds(20),
            "TargetClusterNotFound");
        var detail = notFound.InstanceList[0].StatusDetail.ShouldNotBeNull();
        output.WriteLine($"unknown cluster: {detail}");
        detail.ShouldContain("cluster-9");
        detail.ShouldContain("not registered");

        // Larger than every cluster.
        var largest = (await api.GetJsonAsync<List<ClusterDocument>>("api/clusters/")).Max(c => c.Resources["memory_total"]!.GetValue<long>());
        var huge = await TopologyServices.DeploySleeperAsync(topology, api, "huge", largest + 1024, null);
        var noCapacity = await Wait.ForAsync(() => api.ServiceAsync(huge),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status == InstanceStatus.NoActiveClusterWithCapacity, TimeSpan.FromSeconds(20),
            "NoActiveClusterWithCapacity");
        detail = noCapacity.InstanceList[0].StatusDetail.ShouldNotBeNull();
        output.WriteLine($"too big: {detail}");
        detail.ShouldContain("cluster-0");
        detail.ShouldContain("cluster-1");
        detail.ShouldContain("memory");

        // Reservations: 40 % of a worker's memory each, 6 at once over 4 workers: never 3 on one worker.
        var workerMemory = (await api.GetJsonAsync<List<NodeDocument>>("api/v1/nodes")).Min(n => n.MemoryTotal);
        var big = await TopologyServices.DeploySleeperAsync(topology, api, "big", workerMemory * 4 / 10, null);
        await TopologyServices.ScaleAsync(topology, "big", 6);
        placed = await TopologyServices.RunningAsync(api, big, 6);
        var perWorker = placed.GroupBy(i => i.NodeName).ToDictionary(g => g.Key ?? "?", g => g.Count());
        output.WriteLine($"{workerMemory * 4 / 10} MB each: {string.Join(", ", perWorker.Select(p => $"{p.Key} {p.Value}"))}");
        perWorker.Values.ShouldAllBe(n => n <= 2);
        perWorker.Values.Sum().ShouldBe(6);

        // Up to exactly full (2 on each of the 4 workers), then one more than fits anywhere.
        await TopologyServices.ScaleAsync(topology, "big", 9);
        await EightOfNineRunningAsync(api, big);
    }

    /// <summary>Nine instances of 40 % of a worker's memory on 4 workers: 8 run, 2 on each worker, the 9th is refused.</summary>
    private async Task<ServiceDocument> EightOfNineRunningAsync(HttpClient api, string serviceId)
    {
        ServiceDocument? last = null;
        try
        {
            await Wait.ForAsync(async () => last = await api.ServiceAsync(serviceId),
                s => s.InstanceList.Count == 9 && s.InstanceList.Count(i => i.Status == InstanceStatus.Running) == 8 &&
                     s.InstanceList.Count(i => i.Status.IsNegativeScheduling()) == 1, TimeSpan.FromSeconds(40),
                "8 of 9 instances running, the 9th refused");
        }
        finally
        {
            foreach (var i in last?.InstanceList ?? [])
            {
                output.WriteLine($"{i.InstanceNumber} {i.Status} {i.ClusterName}/{i.NodeName} {i.StatusDetail}");
            }
        }

        last!.InstanceList.Where(i => i.Status == InstanceStatus.Running).GroupBy(i => i.NodeName).ShouldAllBe(g => g.Count() == 2);
        return last;
    }

    private static List<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(n => n!.GetValue<string>()).ToList(),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => [value.GetValue<string>()],
        _ => throw new ShouldAssertException($"not a string or a list of strings: {node?.ToJsonString() ?? "null"}"),
    };
}
