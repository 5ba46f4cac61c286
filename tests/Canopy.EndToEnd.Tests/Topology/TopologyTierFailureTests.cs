using System.Diagnostics;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;
using Xunit.Abstractions;

namespace Canopy.EndToEnd.Tests.Topology;

/// <summary>
/// The upper tiers fail ("many machines, many clusters"): a cluster orchestrator killed (its instances move to the other cluster
/// after the root's grace period and are dropped when it returns), the root killed (services keep running, the clusters still heal
/// worker failures, the root catches up when it returns), a cluster orchestrator restarted (it re-learns everything, no workload
/// restarts).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TopologyTierFailureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task ClusterKilled_InstanceRunsOnTheOtherClusterAfterGrace_ReturningClusterDropsItsCopy()
    {
        Requirements.Check();
        await using var topology = await Canopy.Testing.Topology.StartAsync(clusters: 2, workers: 2,
            rootEnvironment: new Dictionary<string, string> { ["CANOPY_Root__ClusterGracePeriod"] = Grace.ToString() });
        var (api, port, service) = await DeployAsync(topology, "clkill");
        using var _ = api;
        var first = service.InstanceList[0];
        var dead = topology.Clusters.Single(c => c.Name == first.ClusterName);
        var other = topology.Clusters.Single(c => c != dead);

        var stopwatch = Stopwatch.StartNew();
        await dead.Host.KillAsync(Signals.SigKill);
        // Its Mosquitto ends with it (parent-death signal): no broker left for its nodes to talk into.
        await Wait.UntilAsync(() => Task.FromResult(Canopy.Testing.Topology.PidsWithCommandLine(dead.Host.DataDir + "/").Count == 0),
            TimeSpan.FromSeconds(5), $"no process of {dead.Name}'s data dir (its Mosquitto) left running");
        await Wait.UntilAsync(async () =>
            !(await api.GetJsonAsync<List<ClusterDocument>>("api/clusters/active")).Any(c => c.ClusterName == dead.Name),
            TimeSpan.FromSeconds(30), $"{dead.Name} inactive at the root");
        output.WriteLine($"cluster {dead.Name} SIGKILLed: inactive at the root after {stopwatch.Elapsed.TotalSeconds:0.00} s");
        dead.Workers.All(w => w.IsRunning).ShouldBeTrue("its workers keep running");
        await Wait.UntilAsync(() => Task.FromResult(HttpdPids(port).Count >= 1), TimeSpan.FromSeconds(1), "the old copy still running");

        var moved = await Wait.ForAsync(() => api.ServiceAsync(service.MicroserviceId),
            s => s.InstanceList.Any(i => i.Status == InstanceStatus.Running && i.ClusterName == other.Name),
            TimeSpan.FromSeconds(60), $"the instance RUNNING on {other.Name}");
        var elapsed = stopwatch.Elapsed;
        output.WriteLine($"cluster {dead.Name} SIGKILLed: instance RUNNING on {other.Name}/{moved.InstanceList[0].NodeName} after " +
                         $"{elapsed.TotalSeconds:0.00} s (grace {Grace.TotalSeconds:0} s)");
        elapsed.ShouldBeGreaterThan(Grace, "not moved before the grace period");
        moved.InstanceList.Count.ShouldBe(1);

        dead.Host.Start();
        stopwatch.Restart();
        await Wait.UntilAsync(async () =>
        {
            var s = await api.ServiceAsync(service.MicroserviceId);
            return s.InstanceList.Count == 1 && s.InstanceList[0].Status == InstanceStatus.Running && s.InstanceList[0].ClusterName == other.Name &&
                   !dead.Workers.Any(w => w.HoldsInstance(service.MicroserviceId, s.InstanceList[0].InstanceNumber)) &&
                   HttpdPids(port).Count == 1;
        }, TimeSpan.FromSeconds(60), $"one instance on {other.Name}, none on {dead.Name}'s workers, one httpd process");
        output.WriteLine($"cluster {dead.Name} restarted: its copy dropped after {stopwatch.Elapsed.TotalSeconds:0.00} s");

        await Task.Delay(3000);
        var final = await api.ServiceAsync(service.MicroserviceId);
        final.InstanceList.Count.ShouldBe(1);
        final.InstanceList[0].Status.ShouldBe(InstanceStatus.Running);
        final.InstanceList[0].ClusterName.ShouldBe(other.Name);
        HttpdPids(port).Count.ShouldBe(1);
        topology.Workers.Count(w => w.HoldsInstance(service.MicroserviceId, final.InstanceList[0].InstanceNumber)).ShouldBe(1);
        (await api.GetJsonAsync<List<ClusterDocument>>("api/clusters/active")).ShouldContain(c => c.ClusterName == dead.Name);
        var detail = await api.GetJsonAsync<InstanceDetailDocument>(
            $"api/v1/services/{service.MicroserviceId}/instances/{final.InstanceList[0].InstanceNumber}");
        output.WriteLine($"restart_count {final.InstanceList[0].RestartCount}; events:\n  " +
                         string.Join("\n  ", detail.Events.Select(e => $"{e.Time:HH:mm:ss.fff} {e.Status} {e.Cluster}/{e.Node}: {e.Detail}")));
        detail.Events.ShouldContain(e => e.Detail.Contains("unreachable", StringComparison.Ordinal) && e.Detail.Contains(dead.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RootKilled_ServicesKeepRunning_ClusterHealsWorkerFailure_DeployFails_RestartedRootConverges()
    {
        Requirements.Check();
        await using var topology = await Canopy.Testing.Topology.StartAsync(clusters: 2, workers: 2);
        var (api, port, service) = await DeployAsync(topology, "rootkilla", topology.Clusters[0].Name);
        using var _ = api;
        var (api2, port2, service2) = await DeployAsync(topology, "rootkillb", topology.Clusters[1].Name);
        api2.Dispose();
        var cluster = topology.Clusters[0];
        var worker = cluster.Workers.Single(w => w.Name == service.InstanceList[0].NodeName);
        var otherHost = topology.Workers.Single(w => w.Name == service2.InstanceList[0].NodeName);

        await topology.Root.KillAsync(Signals.SigKill);
        await Task.Delay(2000);
        (await AnswersAsync(worker, port)).ShouldBeTrue("service a answers with the root down");
        (await AnswersAsync(otherHost, port2)).ShouldBeTrue("service b answers with the root down");

        var stopwatch = Stopwatch.StartNew();
        await worker.KillAsync(Signals.SigKill);
        using var clusterApi = cluster.Api();
        var healed = await Wait.ForAsync(async () =>
                (await clusterApi.GetJsonAsync<List<InstanceReport>>("api/v1/instances")).Where(i => i.ServiceId == service.MicroserviceId).ToList(),
            l => l.Count == 1 && l[0].Status == InstanceStatus.Running && l[0].NodeName != worker.Name,
            TimeSpan.FromSeconds(30), $"the instance RUNNING on another worker of {cluster.Name} (cluster API)");
        var newNode = healed[0].NodeName!;
        output.WriteLine($"root down, worker {worker.Name} SIGKILLed: {cluster.Name} runs the instance on {newNode} after " +
                         $"{stopwatch.Elapsed.TotalSeconds:0.00} s");
        // RUNNING means started; httpd may need a moment more before it listens.
        await Wait.UntilAsync(() => AnswersAsync(topology.Workers.Single(w => w.Name == newNode), port), TimeSpan.FromSeconds(10), "the moved instance to answer");

        var deploy = await topology.CliAsync("app", "deploy", TopologySlas.ExecHttpd(topology.StateDir, "rootkillc", FreePort.Block(1)));
        output.WriteLine($"deploy with the root down: {deploy}");
        deploy.ExitCode.ShouldNotBe(0);
        (deploy.StdOut + deploy.StdErr).ShouldContain("Cannot reach");

        topology.Root.Start();
        stopwatch.Restart();
        HttpClient? root = null;
        try
        {
            var converged = await Wait.ForAsync(async () =>
            {
                root ??= await topology.ApiAsync();
                return await root.ServiceAsync(service.MicroserviceId);
            }, s => s.InstanceList.Count == 1 && s.InstanceList[0].Status == InstanceStatus.Running && s.InstanceList[0].NodeName == newNode,
                TimeSpan.FromSeconds(30), $"the root's view: RUNNING on {newNode}");
            var elapsed = stopwatch.Elapsed;
            output.WriteLine($"root restarted: its view shows the instance RUNNING on {converged.InstanceList[0].NodeName} after " +
                             $"{elapsed.TotalSeconds:0.00} s");
            elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10), "time from root start to its view converging");
            var b = await root!.ServiceAsync(service2.MicroserviceId);
            b.InstanceList.Single().Status.ShouldBe(InstanceStatus.Running);
            b.InstanceList.Single().NodeName.ShouldBe(otherHost.Name);
        }
        finally
        {
            root?.Dispose();
        }
    }

    [Fact]
    public async Task ClusterCrashedAndRestarted_RelearnsNodesAndInstances_WithoutRestartingProcessesOrContainers()
    {
        ContainerRequirements.Check();
        await using var topology = await Canopy.Testing.Topology.StartAsync(clusters: 1, workers: 2);
        var (api, port, service) = await DeployAsync(topology, "clrestart");
        using var _ = api;
        var cluster = topology.Clusters[0];
        var containerWorker = cluster.Workers[0];
        containerWorker.ForwardLoopback(5000);
        var boxed = await DeployContainerAsync(topology, api, "clboxed");
        var before = service.InstanceList[0];
        var pids = HttpdPids(port);
        pids.Count.ShouldBe(1);
        var container = ContainerId(containerWorker, boxed.MicroserviceId);

        // A crash: the cluster gets no chance to say goodbye; it comes back from its store.
        var stopwatch = Stopwatch.StartNew();
        await cluster.Host.KillAsync(Signals.SigKill);
        cluster.Host.Start();

        using var clusterApi = cluster.Api();
        await Wait.ForAsync(async () => await clusterApi.GetJsonAsync<List<InstanceReport>>("api/v1/instances"),
            l => l.Count(i => i.Status == InstanceStatus.Running && (i.ServiceId == service.MicroserviceId || i.ServiceId == boxed.MicroserviceId)) == 2,
            TimeSpan.FromSeconds(30), "the restarted cluster reporting both instances RUNNING");
        output.WriteLine($"cluster {cluster.Name} SIGKILLed and restarted: its API reports both instances RUNNING after {stopwatch.Elapsed.TotalSeconds:0.00} s");
        await Wait.UntilAsync(async () =>
                (await api.GetJsonAsync<List<ClusterDocument>>("api/clusters/active")).Any(c => c.ClusterName == cluster.Name && c.ActiveNodes == 2),
            TimeSpan.FromSeconds(30), $"{cluster.Name} active at the root with its 2 nodes");
        output.WriteLine($"cluster {cluster.Name}: active at the root with both nodes after {stopwatch.Elapsed.TotalSeconds:0.00} s");

        await Task.Delay(3000);
        var after = (await api.ServiceAsync(service.MicroserviceId)).InstanceList.Single();
        after.Status.ShouldBe(InstanceStatus.Running);
        after.NodeName.ShouldBe(before.NodeName);
        after.RestartCount.ShouldBe(before.RestartCount);
        after.Pid.ShouldBe(before.Pid);
        HttpdPids(port).ShouldBe(pids, "the same workload process");
        var boxedAfter = (await api.ServiceAsync(boxed.MicroserviceId)).InstanceList.Single();
        boxedAfter.Status.ShouldBe(InstanceStatus.Running);
        boxedAfter.NodeName.ShouldBe(containerWorker.Name);
        boxedAfter.RestartCount.ShouldBe(0);
        ContainerId(containerWorker, boxed.MicroserviceId).ShouldBe(container, "the same container");
        output.WriteLine($"workload pid {pids[0]} and container {container[..12]} before and after, restart counts 0");
    }

    private static async Task<ServiceDocument> DeployContainerAsync(Canopy.Testing.Topology topology, HttpClient api, string app)
    {
        var deploy = await topology.CliAsync("app", "deploy", ContainerSlas.Web(topology.StateDir, app, FreePort.Block(1)), "--watch", "--timeout", "45");
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        return await Wait.ForAsync(() => api.ServiceByNameAsync(app),
            s => s.InstanceList is [{ Status: InstanceStatus.Running }], TimeSpan.FromSeconds(30), "the container running");
    }

    /// <summary>The container the worker's node engine runs for instance 0 (its state file).</summary>
    private static string ContainerId(TopologyHost worker, string serviceId)
    {
        using var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(worker.DataDir, "containers", $"{serviceId}.0", "state.json")));
        return state.RootElement.GetProperty("container_id").GetString()!;
    }

    private static async Task<(HttpClient Api, int Port, ServiceDocument Service)> DeployAsync(Canopy.Testing.Topology topology, string app,
        string? cluster = null)
    {
        var port = FreePort.Block(1);
        var deploy = await topology.CliAsync("app", "deploy", TopologySlas.ExecHttpd(topology.StateDir, app, port, cluster), "--watch", "--timeout", "30");
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        var api = await topology.ApiAsync();
        var service = await Wait.ForAsync(() => api.ServiceByNameAsync(app),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status == InstanceStatus.Running, TimeSpan.FromSeconds(20), "the instance running");
        await Wait.UntilAsync(() => Task.FromResult(HttpdPids(port).Count == 1), TimeSpan.FromSeconds(5), "one httpd process");
        return (api, port, service);
    }

    private static List<int> HttpdPids(int port) => Canopy.Testing.Topology.MainPidsWithCommandLine($"httpd -f -p {port} ");

    private static async Task<bool> AnswersAsync(TopologyHost host, int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var answer = await http.GetAsync($"http://{host.Ip}:{port}/"); // busybox httpd: 404 (no index in /tmp) is an answer
        return (int)answer.StatusCode < 500;
    }
}
