using System.Diagnostics;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;
using Xunit.Abstractions;

namespace Canopy.EndToEnd.Tests.Topology;

/// <summary>
/// A worker host of a cluster fails (its node engine killed, or its link cut): its exec instance runs on another worker of the
/// same cluster within 10 s; when the worker comes back, the duplicate it still runs is removed.
/// One cluster of 3 workers is enough (and faster) for this.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TopologyWorkerFailureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan MoveDeadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task WorkerKilled_InstanceRunsOnAnotherWorkerWithin10s_RestartedWorkerDropsTheDuplicate()
    {
        Requirements.Check();
        await using var topology = await Canopy.Testing.Topology.StartAsync(clusters: 1, workers: 3);
        var (api, port, first) = await DeployAsync(topology, "killed");
        using var _ = api;

        var stopwatch = Stopwatch.StartNew();
        await first.KillAsync(Signals.SigKill);
        var moved = await WaitMovedAsync(api, "killed", first);
        var elapsed = stopwatch.Elapsed;
        output.WriteLine($"worker {first.Name} SIGKILLed: instance RUNNING on {moved.NodeName} after {elapsed.TotalSeconds:0.00} s");
        elapsed.ShouldBeLessThan(MoveDeadline, "time from SIGKILL to RUNNING elsewhere");

        first.Start();
        stopwatch.Restart();
        await WaitSingleAsync(api, "killed", port, moved.NodeName!, first);
        output.WriteLine($"worker {first.Name} restarted: duplicate removed after {stopwatch.Elapsed.TotalSeconds:0.00} s");
        await StaysSingleAsync(topology, api, "killed", port, moved.NodeName!);
    }

    [Fact]
    public async Task WorkerLinkCut_InstanceRunsOnAnotherWorkerWithin10s_LinkBackDropsTheDuplicate()
    {
        Requirements.Check();
        await using var topology = await Canopy.Testing.Topology.StartAsync(clusters: 1, workers: 3);
        var (api, port, first) = await DeployAsync(topology, "cut");
        using var _ = api;

        var stopwatch = Stopwatch.StartNew();
        first.LinkDown();
        var moved = await WaitMovedAsync(api, "cut", first);
        var elapsed = stopwatch.Elapsed;
        output.WriteLine($"worker {first.Name} link down: instance RUNNING on {moved.NodeName} after {elapsed.TotalSeconds:0.00} s");
        elapsed.ShouldBeLessThan(MoveDeadline, "time from link down to RUNNING elsewhere");
        first.IsRunning.ShouldBeTrue("the cut-off node engine keeps running");

        first.LinkUp();
        stopwatch.Restart();
        await WaitSingleAsync(api, "cut", port, moved.NodeName!, first);
        output.WriteLine($"worker {first.Name} link up: duplicate removed after {stopwatch.Elapsed.TotalSeconds:0.00} s");
        await StaysSingleAsync(topology, api, "cut", port, moved.NodeName!);

        // The cluster closed the silent connection itself (its keep-alive watch), and the node, still connected as far as it knew,
        // came back through a fresh connection: active again. Only this worker changed state. Mosquitto's own sweep runs every 5 s
        // and closes at 1.5 × the keep-alive, the watch 250 ms later: about one cut in ten, the sweep falls in that window and
        // closes it first, which is as good (the watch only makes the broker's job sooner).
        var cluster = topology.Clusters.Single(c => c.Workers.Contains(first)).Host;
        var brokerLog = Path.Combine(cluster.DataDir, "mosquitto", "mosquitto.log");
        await Wait.UntilAsync(() => Task.FromResult(cluster.Log.Contains("sent nothing for", StringComparison.Ordinal)
                || (File.Exists(brokerLog) && File.ReadAllText(brokerLog).Contains("has exceeded timeout", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(10), "the cluster's keep-alive watch (or the broker's own sweep) closed the cut node's connection");
        output.WriteLine(cluster.Log.Contains("sent nothing for", StringComparison.Ordinal)
            ? "the keep-alive watch closed the cut connection"
            : "Mosquitto's own sweep closed the cut connection before the keep-alive watch");

        await Wait.UntilAsync(() => Task.FromResult(ActiveAgain(cluster.Log)), TimeSpan.FromSeconds(30),
            $"{first.Name} active again after its link came back (cluster log)");
    }

    /// <summary>A node went inactive, and the cluster's last word on a node's state is that it is active.</summary>
    private static bool ActiveAgain(string clusterLog) =>
        clusterLog.Split('\n').Where(l => l.Contains(") is active", StringComparison.Ordinal) || l.Contains(") is inactive", StringComparison.Ordinal))
            .ToList() is var states && states.Any(l => l.Contains(") is inactive", StringComparison.Ordinal))
            && states[^1].Contains(") is active", StringComparison.Ordinal);

    private static async Task<(HttpClient Api, int Port, TopologyHost Worker)> DeployAsync(Canopy.Testing.Topology topology, string app)
    {
        var port = FreePort.Block(1);
        var deploy = await topology.CliAsync("app", "deploy", TopologySlas.ExecHttpd(topology.StateDir, app, port), "--watch", "--timeout", "30");
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        var api = await topology.ApiAsync();
        var service = await Wait.ForAsync(() => api.ServiceByNameAsync(app),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status == InstanceStatus.Running, TimeSpan.FromSeconds(20), "the instance running");
        var worker = topology.Workers.Single(w => w.Name == service.InstanceList[0].NodeName);
        worker.HoldsInstance(service.MicroserviceId, 0).ShouldBeTrue();
        await Wait.UntilAsync(() => Task.FromResult(Canopy.Testing.Topology.MainPidsWithCommandLine($"httpd -f -p {port} ").Count == 1),
            TimeSpan.FromSeconds(5), "one httpd process");
        return (api, port, worker);
    }

    private static async Task<InstanceDocument> WaitMovedAsync(HttpClient api, string app, TopologyHost from)
    {
        var service = await Wait.ForAsync(() => api.ServiceByNameAsync(app),
            s => s.InstanceList.Any(i => i.Status == InstanceStatus.Running && i.NodeName != from.Name),
            TimeSpan.FromSeconds(30), $"the instance RUNNING on a worker other than {from.Name}");
        return service.InstanceList.First(i => i.Status == InstanceStatus.Running && i.NodeName != from.Name);
    }

    /// <summary>The service has exactly its one instance, RUNNING on <paramref name="node"/>, and one process of it runs across the hosts.</summary>
    /// <remarks>The old worker's node engine must have dropped it (its instance dir gone): counting processes alone is not enough
    /// here, as node engines on one kernel share the instance's cgroup and kill each other's copy (see the report).</remarks>
    private static async Task WaitSingleAsync(HttpClient api, string app, int port, string node, TopologyHost old) =>
        await Wait.UntilAsync(async () =>
        {
            var s = await api.ServiceByNameAsync(app);
            return s.InstanceList.Count == 1 && s.InstanceList[0].Status == InstanceStatus.Running && s.InstanceList[0].NodeName == node &&
                   !old.HoldsInstance(s.MicroserviceId, s.InstanceList[0].InstanceNumber) &&
                   Canopy.Testing.Topology.MainPidsWithCommandLine($"httpd -f -p {port} ").Count == 1;
        }, TimeSpan.FromSeconds(30), $"one instance on {node}, none on {old.Name}, one httpd process");

    /// <summary>And it stays so (no late re-adoption or second copy), and the instance answers inside its host.</summary>
    private static async Task StaysSingleAsync(Canopy.Testing.Topology topology, HttpClient api, string app, int port, string node)
    {
        await Task.Delay(3000);
        var service = await api.ServiceByNameAsync(app);
        service.InstanceList.Count.ShouldBe(1);
        service.InstanceList[0].NodeName.ShouldBe(node);
        topology.Workers.Count(w => w.HoldsInstance(service.MicroserviceId, service.InstanceList[0].InstanceNumber)).ShouldBe(1);
        Canopy.Testing.Topology.MainPidsWithCommandLine($"httpd -f -p {port} ").Count.ShouldBe(1);
        var host = topology.Workers.Single(w => w.Name == node);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var answer = await http.GetAsync($"http://{host.Ip}:{port}/"); // httpd answers from the host's address (404: no index in /tmp)
        ((int)answer.StatusCode).ShouldBeLessThan(500);
    }
}
