using System.Diagnostics;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;
using Xunit.Abstractions;

namespace Canopy.EndToEnd.Tests.Topology;

/// <summary>
/// Services reach each other (the net manager): service IPs routed in the kernel of every node that has a client, across
/// the VXLAN overlay between workers of two clusters, from containers and from exec processes, by address and by name;
/// round robin per connection; connections follow instances that fail, move, scale; closest_ip prefers the own node.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TopologyNetworkTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Converged = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task ServiceIps_AcrossClusters_FromContainersAndExec_FollowScalingFailuresAndLostWorkers()
    {
        ContainerRequirements.Check();
        // cluster-1 spreads instances over its workers, so that three instances of web run on three workers.
        await using var topology = await Canopy.Testing.Topology.StartAsync(clusters: 2, workers: 3,
            hostArgs: new Dictionary<string, string[]> { ["c1"] = ["--scheduler", "round-robin"] });
        await topology.RunAsync(async () =>
        {
            foreach (var cluster in topology.Clusters)
            {
                cluster.Workers[0].ForwardLoopback(5000);
            }

            var deploy = await topology.CliAsync("app", "deploy", NetworkSlas.CrossCluster(topology.StateDir), "--watch", "--timeout", "60");
            deploy.ExitCode.ShouldBe(0, deploy.ToString());
            using var api = await topology.ApiAsync();
            var services = await ServicesAsync(api, "net");
            var server = await TopologyServices.RunningAsync(api, services["server"], 1, TimeSpan.FromSeconds(60));
            server[0].NodeName.ShouldBe("c1w0");
            server[0].InstanceIp.ShouldNotBeNullOrEmpty("a container instance shows its own IP");
            server[0].InstanceIp!.ShouldStartWith("10.");
            var caller = topology.Host("c0w1");

            // 1. A container on cluster-0 reaches a container on cluster-1 by service IP and by name; an exec process too.
            var client = await Wait.ForAsync(() => topology.CliAsync("logs", "net.topo.client.topo"),
                r => r.StdOut.Contains("by ip: <h1>hello from canopy/busybox") && r.StdOut.Contains("by name: <h1>hello from canopy/busybox"),
                TimeSpan.FromSeconds(30), "the client container's log showing the server's page by IP and by name");
            output.WriteLine(client.StdOut.Split('\n').Last(l => l.Contains("hello")));
            var fromExec = await FetchAsync(caller, "http://10.30.30.30:8080/");
            if (fromExec is null)
            {
                foreach (var host in new[] { caller, topology.Host("c1w0") })
                {
                    foreach (var command in new[] { "nft list ruleset", "ip route", "ip neigh", "bridge fdb show", "ip -d link show type vxlan", "ip addr" })
                    {
                        output.WriteLine($"--- {host.Name}: {command}\n" + (await host.ExecAsync(command.Split(' '))).StdOut);
                    }
                }
            }

            (fromExec ?? "").ShouldContain("hello from canopy/busybox", customMessage: "an exec-side process on c0w1 reaches the container");
            await Wait.ForAsync(() => topology.CliAsync("logs", "net.topo.caller.topo"),
                r => r.StdOut.Contains("by ip: web 0") && r.StdOut.Contains("by name: web 0"), TimeSpan.FromSeconds(30),
                "the exec caller's log showing web's page by IP and by name");

            var show = await topology.CliAsync("service", "show", "net.topo.server.topo");
            show.StdOut.ShouldContain("10.30.30.30");
            show.StdOut.ShouldContain(server[0].InstanceIp!);

            // 2. Three instances of web on three workers: connections are spread over all three.
            await ScaleAsync(topology, "net.topo.web.topo", 3);
            var web = await RunningWebAsync(api, services["web"], 3);
            web.Select(i => i.NodeName).Distinct().Count().ShouldBe(3, "round-robin placement over cluster-1's three workers");
            var seen = await Wait.ForAsync(() => SpreadAsync(caller, "http://10.30.30.31:18080/", 18), s => s.Count == 3, Converged,
                "connections reaching all three instances of web");
            output.WriteLine("18 connections: " + string.Join(", ", seen.OrderBy(p => p.Key).Select(p => $"{p.Key} ×{p.Value}")));
            // The caller instance on the same node takes turns from the same counter, so the split is near, not exactly, even.
            seen.Values.ShouldAllBe(n => n >= 3, "round robin per connection");
            foreach (var instance in web)
            {
                var log = await topology.CliAsync("logs", "net.topo.web.topo", "--instance", instance.InstanceNumber.ToString());
                log.StdOut.ShouldContain("response:200", customMessage: $"web {instance.InstanceNumber}'s log shows requests");
            }

            // 3a. An instance's process is killed: from 1 s after the kill on no connection fails (the node sees the exit, the tables
            // follow); when it is back it gets connections again.
            var killed = web.Single(i => i.InstanceNumber == 1);
            var pids = Canopy.Testing.Topology.MainPidsWithCommandLine("httpd -f -v -p 18081 ");
            pids.Count.ShouldBe(1);
            Signals.Kill(pids[0], Signals.SigKill);
            await NoLateFailuresAsync(caller, api, services["web"], TimeSpan.FromSeconds(10), "instance 1 restarting");
            await Wait.ForAsync(() => SpreadAsync(caller, "http://10.30.30.31:18080/", 12), s => s.ContainsKey("web 1"), TimeSpan.FromSeconds(20),
                "connections reaching the restarted instance 1");

            // 3b. A worker is cut off (not c1w0, the server's): its instance leaves RUNNING there, moves, and connections follow it.
            var moving = web.First(i => i.NodeName != "c1w0");
            var number = moving.InstanceNumber;
            var lost = topology.Host(moving.NodeName!);
            var stopwatch = Stopwatch.StartNew();
            lost.LinkDown();
            await Wait.UntilAsync(async () => (await api.ServiceAsync(services["web"])).InstanceList
                    .Any(i => i.InstanceNumber == number && (i.Status != InstanceStatus.Running || i.NodeName != lost.Name)),
                TimeSpan.FromSeconds(15), $"instance {number} leaving RUNNING on {lost.Name}");
            output.WriteLine($"{lost.Name} cut off: instance {number} left RUNNING there after {stopwatch.Elapsed.TotalSeconds:0.0} s");
            await Wait.ForAsync(() => SpreadAsync(caller, "http://10.30.30.31:18080/", 9), s => !s.ContainsKey("failed"),
                Converged, "connections going to reachable instances only");
            var moved = await Wait.ForAsync(() => api.ServiceAsync(services["web"]),
                s => s.InstanceList.Any(i => i.InstanceNumber == number && i.Status == InstanceStatus.Running && i.NodeName != lost.Name),
                TimeSpan.FromSeconds(30), $"instance {number} RUNNING on another worker");
            output.WriteLine($"instance {number} RUNNING on {moved.InstanceList.Single(i => i.InstanceNumber == number).NodeName} after {stopwatch.Elapsed.TotalSeconds:0.0} s");
            await Wait.ForAsync(() => SpreadAsync(caller, "http://10.30.30.31:18080/", 12), s => s.ContainsKey($"web {number}") && !s.ContainsKey("failed"),
                Converged, $"connections reaching instance {number} in its new place");
            lost.LinkUp();

            // 3c. Scaled down to one: only instance 0 takes connections, and no rule of the others stays in the caller's kernel.
            await ScaleAsync(topology, "net.topo.web.topo", 1);
            await RunningWebAsync(api, services["web"], 1);
            await Wait.ForAsync(() => SpreadAsync(caller, "http://10.30.30.31:18080/", 6), s => s.Count == 1 && s.ContainsKey("web 0"), Converged,
                "connections going to instance 0 only");
            var rules = await caller.ExecAsync("nft", "list", "ruleset");
            rules.StdOut.ShouldNotContain("18081");
            rules.StdOut.ShouldNotContain("18082");

            // Latency between overlay peers is measured and shown.
            var latency = await Wait.ForAsync(() => topology.CliAsync("nodes", "--latency"), r => r.StdOut.Contains("c0w1") && r.StdOut.Contains("c1w0"),
                TimeSpan.FromSeconds(20), "canopy nodes --latency listing c0w1's peers");
            output.WriteLine(latency.StdOut);
        }, output.WriteLine, h => h.Role is "node" or "cluster");
    }

    [Fact]
    public async Task ClosestIp_PrefersTheOwnNode_FallsBack_AndTablesSurviveClusterAndNodeRestarts()
    {
        ContainerRequirements.Check();
        // The root spreads the two instances over the two clusters.
        await using var topology = await Canopy.Testing.Topology.StartAsync(clusters: 2, workers: 1,
            hostArgs: new Dictionary<string, string[]> { ["root"] = ["--scheduler", "round-robin"] });
        await topology.RunAsync(async () =>
        {
            var deploy = await topology.CliAsync("app", "deploy", NetworkSlas.Closest(topology.StateDir), "--watch", "--timeout", "30");
            deploy.ExitCode.ShouldBe(0, deploy.ToString());
            using var api = await topology.ApiAsync();
            var id = (await api.ServiceByNameAsync("near")).MicroserviceId;
            await ScaleAsync(topology, "near.topo.near.topo", 2);
            var instances = await TopologyServices.RunningAsync(api, id, 2);
            instances.Select(i => i.ClusterName).Distinct().Count().ShouldBe(2, "one instance on each cluster");
            var second = topology.Host(instances.Single(i => i.InstanceNumber == 1).NodeName!);

            // From the node of instance 1, the closest instance is its own; from the other node, instance 0.
            (await Wait.ForAsync(() => FetchAsync(second, "http://10.30.30.40:18090/"), t => t == "near 1", Converged, "closest from instance 1's node"))
                .ShouldBe("near 1");
            var first = topology.Host(instances.Single(i => i.InstanceNumber == 0).NodeName!);
            (await Wait.ForAsync(() => FetchAsync(first, "http://10.30.30.40:18090/"), t => t == "near 0", Converged, "closest from instance 0's node"))
                .ShouldBe("near 0");

            // The cluster of instance 1's node restarts: the node's rules stay and come back whole (no duplicate table).
            var cluster = topology.Clusters.Single(c => c.Workers.Contains(second)).Host;
            await cluster.KillAsync(Signals.SigKill);
            (await FetchAsync(second, "http://10.30.30.40:18090/")).ShouldBe("near 1", "rules stay while the cluster is down");
            cluster.Start();
            await topology.WaitReadyAsync(TimeSpan.FromSeconds(60));
            (await FetchAsync(second, "http://10.30.30.40:18090/")).ShouldBe("near 1");

            // The node engine restarts: its kernel state is adopted, not duplicated.
            await second.KillAsync(Signals.SigKill);
            (await FetchAsync(second, "http://10.30.30.40:18090/")).ShouldBe("near 1", "rules stay while the node engine is down");
            second.Start();
            await topology.WaitReadyAsync(TimeSpan.FromSeconds(60));
            (await FetchAsync(second, "http://10.30.30.40:18090/")).ShouldBe("near 1");
            var tables = await second.ExecAsync("nft", "list", "tables");
            tables.StdOut.Split('\n').Count(l => l.Contains("canopy_")).ShouldBe(1, tables.StdOut);
            var devices = await second.ExecAsync("ip", "-o", "link", "show", "type", "vxlan");
            devices.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1, devices.StdOut);

            // Instance 1's process ends (restart policy never: it stays FAILED on its node, whose interest in the application
            // stays): its node's connections fall back to instance 0 on the other cluster.
            // First both instances settle: the restarts above may have had instance 1 placed again on its node.
            await TopologyServices.RunningAsync(api, id, 2);
            var pids = await Wait.ForAsync(() => Task.FromResult(Canopy.Testing.Topology.MainPidsWithCommandLine("httpd -f -p 18091 ")),
                p => p.Count == 1, TimeSpan.FromSeconds(10), "one process of instance 1");
            Signals.Kill(pids[0], Signals.SigKill);
            (await Wait.ForAsync(() => FetchAsync(second, "http://10.30.30.40:18090/"), t => t == "near 0", Converged, "fallback to instance 0"))
                .ShouldBe("near 0");
        }, output.WriteLine, h => h.Role is "node" or "cluster");
    }

    private static async Task ScaleAsync(Canopy.Testing.Topology topology, string jobName, int instances)
    {
        var scale = await topology.CliAsync("service", "scale", jobName, instances.ToString());
        scale.ExitCode.ShouldBe(0, scale.ToString());
    }

    private static async Task<Dictionary<string, string>> ServicesAsync(HttpClient api, string app)
    {
        var application = (await api.AppsAsync()).Single(a => a.ApplicationName == app);
        var result = new Dictionary<string, string>();
        foreach (var id in application.Microservices)
        {
            result[(await api.ServiceAsync(id)).MicroserviceName] = id;
        }

        return result;
    }

    private static async Task<IReadOnlyList<InstanceDocument>> RunningWebAsync(HttpClient api, string id, int count) =>
        (await Wait.ForAsync(() => api.ServiceAsync(id),
            s => s.InstanceList.Count == count && s.InstanceList.All(i => i.Status == InstanceStatus.Running),
            TimeSpan.FromSeconds(40), $"{count} instances of web RUNNING")).InstanceList;

    /// <summary>One HTTP GET from a process in the host's namespace (what an exec instance there does); null when it fails.</summary>
    private static async Task<string?> FetchAsync(TopologyHost host, string url)
    {
        var result = await host.ExecAsync("timeout", "2", "busybox", "wget", "-qO-", url);
        return result.ExitCode == 0 ? result.StdOut.Trim() : null;
    }

    /// <summary><paramref name="connections"/> connections in a row: how many each answer got ("failed" for failed ones).</summary>
    private static async Task<Dictionary<string, int>> SpreadAsync(TopologyHost host, string url, int connections)
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < connections; i++)
        {
            var answer = await FetchAsync(host, url) ?? "failed";
            counts[answer] = counts.GetValueOrDefault(answer) + 1;
        }

        return counts;
    }

    /// <summary>
    /// Connections for <paramref name="span"/> from now, while something happens to the service's instances: those that fail
    /// must all fail within the first second (the time the issue allows for the tables to follow an instance leaving RUNNING).
    /// </summary>
    private async Task NoLateFailuresAsync(TopologyHost host, HttpClient api, string serviceId, TimeSpan span, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        var failures = new List<(double Seconds, string States)>();
        var attempts = 0;
        while (stopwatch.Elapsed < span)
        {
            attempts++;
            if (await FetchAsync(host, "http://10.30.30.31:18080/") is null)
            {
                var at = stopwatch.Elapsed.TotalSeconds;
                var states = (await api.ServiceAsync(serviceId)).InstanceList.Select(i => $"{i.InstanceNumber}:{i.Status}");
                failures.Add((at, string.Join(" ", states)));
            }
        }

        output.WriteLine($"{what}: {attempts} connections, {failures.Count} failed: " + string.Join(", ", failures.Select(f => $"{f.Seconds:0.00} s ({f.States})")));
        failures.Where(f => f.Seconds > 1.0).ShouldBeEmpty($"connections failed more than 1 s after {what} began");
    }
}
