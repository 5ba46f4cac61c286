using System.Diagnostics;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;
using Xunit.Abstractions;

namespace Canopy.EndToEnd.Tests.Topology;

/// <summary>"Many machines, many clusters": 1 root host, 2 cluster hosts, 3 worker hosts each, every one a network namespace.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class TopologySmokeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoClustersThreeWorkers_AllActive_NodesPerCluster_DirectConstraintLandsOnThatCluster()
    {
        Requirements.Check();
        var topology = await Canopy.Testing.Topology.StartAsync(clusters: 2, workers: 3);
        try
        {
            await CheckAsync(topology);
        }
        finally
        {
            await topology.DisposeAsync();
        }

        Canopy.Testing.Topology.Leftovers(topology.Tag).ShouldBeEmpty();
    }

    [Fact]
    public async Task FailedStart_LeavesNothingBehind()
    {
        Requirements.Check();
        var before = Directory.EnumerateDirectories("/tmp", "canopy-topology-*").ToHashSet();
        var namespacesBefore = Namespaces();
        await Should.ThrowAsync<TimeoutException>(() => Canopy.Testing.Topology.StartAsync(clusters: 1, workers: 1, timeout: TimeSpan.FromMilliseconds(200)));
        var after = Directory.EnumerateDirectories("/tmp", "canopy-topology-*").ToHashSet();
        after.Except(before).ShouldBeEmpty();
        Namespaces().Except(namespacesBefore).ShouldBeEmpty();
    }

    private static List<string> Namespaces() =>
        Directory.Exists("/run/netns") ? Directory.EnumerateFiles("/run/netns").Select(Path.GetFileName).OfType<string>().ToList() : [];

    private async Task CheckAsync(Canopy.Testing.Topology topology)
    {
        output.WriteLine($"topology {topology.Tag} up in {topology.StartupTime.TotalSeconds:0.0} s, root at {topology.RootUrl}");
        using var api = await topology.ApiAsync();

        var clusters = await api.GetJsonAsync<List<ClusterDocument>>("api/clusters/");
        clusters.Select(c => c.ClusterName).Order().ShouldBe(["cluster-0", "cluster-1"]);
        foreach (var cluster in topology.Clusters)
        {
            var doc = clusters.Single(c => c.ClusterName == cluster.Name);
            doc.Active.ShouldBeTrue();
            doc.ActiveNodes.ShouldBe(3);
            doc.ClusterLocation.ShouldNotBeNull().Replace(" ", "").ShouldBe(cluster.Location);
            var nodes = await api.GetJsonAsync<List<NodeDocument>>($"api/v1/nodes?cluster={cluster.Name}");
            nodes.Select(n => n.Name).Order().ShouldBe(cluster.Workers.Select(w => w.Name).Order());
            nodes.Select(n => n.Ip).Order().ShouldBe(cluster.Workers.Select(w => w.Ip).Order());
            doc.TotalCpuCores.ShouldBe((int)Math.Round(nodes.Sum(n => n.Vcpus)));
            nodes.Single(n => n.Name == cluster.Workers[0].Name).Virtualization.ShouldContain("container");
            nodes.Where(n => n.Name != cluster.Workers[0].Name).ShouldAllBe(n => !n.Virtualization.Contains("container"));
            doc.Resources["vcpus"]!.GetValue<double>().ShouldBe(nodes.Sum(n => n.Vcpus), 0.01);
            doc.Resources["memory_total"]!.GetValue<long>().ShouldBe(nodes.Sum(n => n.MemoryTotal));
            output.WriteLine($"{cluster.Name}: {doc.ActiveNodes} nodes, {doc.TotalCpuCores} cores, {doc.MemoryInMb} MB (nodes: {string.Join(", ", nodes.Select(n => $"{n.Name} {n.Vcpus} {n.MemoryTotal}"))})");
        }

        // Through the root, one cluster's workers and none of the other's.
        var listed = await topology.CliAsync("nodes", "--cluster", "cluster-1");
        listed.ExitCode.ShouldBe(0, listed.ToString());
        foreach (var worker in topology.Clusters[1].Workers)
        {
            listed.StdOut.ShouldContain(worker.Name);
        }

        listed.StdOut.ShouldNotContain("c0w");

        // A direct constraint places the service on the named cluster; it serves from its worker's address.
        var port = FreePort.Block(1);
        var deploy = await topology.CliAsync("app", "deploy", TopologySlas.ExecHttpd(topology.StateDir, "pinned", port, "cluster-1"), "--watch", "--timeout", "30");
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        var service = await Wait.ForAsync(() => api.ServiceByNameAsync("pinned"),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status == InstanceStatus.Running, TimeSpan.FromSeconds(20), "the pinned instance running");
        var instance = service.InstanceList[0];
        instance.ClusterName.ShouldBe("cluster-1");
        var worker1 = topology.Clusters[1].Workers.Single(w => w.Name == instance.NodeName);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Wait.ForAsync(() => http.GetAsync($"http://{worker1.Ip}:{port}/"), r => (int)r.StatusCode is >= 200 and < 500,
            TimeSpan.FromSeconds(10), $"httpd answering on {worker1.Ip}:{port}");
        // Between fork and exec the starting shell's command line names the port too: wait for the one httpd.
        await Wait.UntilAsync(() => Task.FromResult(Canopy.Testing.Topology.MainPidsWithCommandLine($"httpd -f -p {port} ").Count == 1),
            TimeSpan.FromSeconds(5), "exactly one httpd process");
    }
}
