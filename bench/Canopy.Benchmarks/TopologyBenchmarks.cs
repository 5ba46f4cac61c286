using System.Diagnostics;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>
/// Figures of many machines: a root, 2 clusters × 3 workers, each a network namespace running its role as a real process
/// (<see cref="Topology"/>, as the end-to-end tests use it), default settings (node MQTT keep-alive 1 s, cluster grace 30 s).
/// </summary>
internal static class TopologyBenchmarks
{
    private sealed record Traffic(
        DateTimeOffset Since, DateTimeOffset At, long MqttFromNodes, long MqttToNodes, long LinkFromRoot, long LinkToRoot,
        Dictionary<string, long> MqttFromNodesByTopic, Dictionary<string, long> LinkToRootByType);

    public static async Task RunAsync(int deploys, int workerKills, int clusterKills, TimeSpan idle)
    {
        await using var topology = await Topology.StartAsync(clusters: 2, workers: 3);
        Console.WriteLine($"topology: root + 2 clusters × 3 workers (network namespaces) ready in {topology.StartupTime.TotalSeconds:0.0} s");
        using var api = await topology.ApiAsync();

        await IdleTrafficAsync(topology, idle);

        var times = await Deploys.MeasureAsync(api, deploys, "topo");
        Console.WriteLine($"exec deploy through root and cluster (POST instance → RUNNING at the root): {Stats.Summary(times)}");

        var kills = await WorkerFailuresAsync(topology, api, workerKills, cutLink: false);
        Console.WriteLine($"worker node engine SIGKILL → instance RUNNING on another worker (root's view): {Stats.Summary(kills)}");
        var cuts = await WorkerFailuresAsync(topology, api, workerKills, cutLink: true);
        Console.WriteLine($"worker link cut (MQTT keep-alive 1 s, the broker drops the node after 1.5 ×) → instance RUNNING on another worker: {Stats.Summary(cuts)}");

        var moves = await ClusterKillsAsync(topology, api, clusterKills);
        Console.WriteLine($"cluster SIGKILL → its instance RUNNING on the other cluster (grace period 30 s included): {Stats.Summary(moves)}");
        Console.WriteLine($"  of which after the grace period: {Stats.Summary(moves.Select(m => m - 30_000).ToList())}");
    }

    /// <summary>Application messages (not keep-alives) each cluster counts, over <paramref name="window"/> with no instance anywhere.</summary>
    private static async Task IdleTrafficAsync(Topology topology, TimeSpan window)
    {
        var clients = topology.Clusters.Select(c => c.Api()).ToList();
        await Task.Delay(TimeSpan.FromSeconds(10)); // past the burst of joining
        var before = await Task.WhenAll(clients.Select(c => c.GetFromJsonAsync<Traffic>("api/v1/traffic", CanopyJson.Options)));
        await Task.Delay(window);
        var after = await Task.WhenAll(clients.Select(c => c.GetFromJsonAsync<Traffic>("api/v1/traffic", CanopyJson.Options)));
        clients.ForEach(c => c.Dispose());

        var nodes = topology.Clusters.Sum(c => c.Workers.Count);
        var minutes = (after[0]!.At - before[0]!.At).TotalMinutes;
        double PerMinute(Func<Traffic, long> count) => Enumerable.Range(0, after.Length).Sum(i => count(after[i]!) - count(before[i]!)) / minutes;
        Console.WriteLine($"idle traffic over {minutes:0.0} min, {nodes} nodes, 0 instances:");
        Console.WriteLine($"  MQTT node → cluster: {PerMinute(t => t.MqttFromNodes) / nodes:0.0} messages per node per minute");
        Console.WriteLine($"  MQTT cluster → node: {PerMinute(t => t.MqttToNodes) / nodes:0.0} messages per node per minute");
        Console.WriteLine($"  root link cluster → root: {PerMinute(t => t.LinkToRoot) / nodes:0.0} messages per node per minute " +
                          $"({PerMinute(t => t.LinkToRoot) / topology.Clusters.Count:0.0} per cluster)");
        Console.WriteLine($"  root link root → cluster: {PerMinute(t => t.LinkFromRoot) / nodes:0.0} messages per node per minute");
        foreach (var topic in after.SelectMany(t => t!.MqttFromNodesByTopic.Keys).Distinct().Order())
        {
            Console.WriteLine($"    node → cluster {topic}: {PerMinute(t => t.MqttFromNodesByTopic.GetValueOrDefault(topic)) / nodes:0.0} per node per minute");
        }

        foreach (var type in after.SelectMany(t => t!.LinkToRootByType.Keys).Distinct().Order())
        {
            Console.WriteLine($"    cluster → root {type}: {PerMinute(t => t.LinkToRootByType.GetValueOrDefault(type)) / topology.Clusters.Count:0.0} per cluster per minute");
        }
    }

    /// <summary>The worker of a fresh instance fails: its node engine SIGKILLed (MQTT last will), or its link cut (MQTT keep-alive, then the last will).</summary>
    internal static async Task<List<double>> WorkerFailuresAsync(Topology topology, HttpClient api, int runs, bool cutLink)
    {
        var what = cutLink ? "link cut" : "kill";
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var (applicationId, serviceId) = await Deploys.CreateAsync(api, $"victim{(cutLink ? "c" : "k")}{i}", FreePort.Block(1));
            (await api.PostAsync($"api/service/{serviceId}/instance", null)).EnsureSuccessStatusCode();
            var running = await Deploys.WaitAsync(api, serviceId, s => s.InstanceList is [{ Status: InstanceStatus.Running }], TimeSpan.FromSeconds(30), "victim RUNNING");
            var worker = topology.Workers.Single(w => w.Name == running.InstanceList[0].NodeName);

            var clock = Stopwatch.StartNew();
            if (cutLink)
            {
                worker.LinkDown();
            }
            else
            {
                await worker.KillAsync(Signals.SigKill);
            }

            await Deploys.WaitAsync(api, serviceId, s => s.InstanceList is [{ Status: InstanceStatus.Running } x] && x.NodeName != worker.Name,
                TimeSpan.FromSeconds(60), $"victim RUNNING elsewhere after {worker.Name}'s {what}");
            times.Add(clock.Elapsed.TotalMilliseconds);
            Console.WriteLine($"  {what} {i}: {worker.Name} → RUNNING elsewhere in {clock.Elapsed.TotalMilliseconds:0} ms");

            if (cutLink)
            {
                worker.LinkUp();
            }
            else
            {
                worker.Start();
            }

            await Wait.UntilAsync(async () => !worker.HoldsInstance(serviceId, 0) && await AllNodesActiveAsync(topology, api),
                TimeSpan.FromSeconds(60), $"{worker.Name} back and its duplicate gone");
            (await api.DeleteAsync($"api/application/{applicationId}")).EnsureSuccessStatusCode();
        }

        return times;
    }

    private static async Task<List<double>> ClusterKillsAsync(Topology topology, HttpClient api, int runs)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var (applicationId, serviceId) = await Deploys.CreateAsync(api, $"evacuee{i}", FreePort.Block(1));
            (await api.PostAsync($"api/service/{serviceId}/instance", null)).EnsureSuccessStatusCode();
            var running = await Deploys.WaitAsync(api, serviceId, s => s.InstanceList is [{ Status: InstanceStatus.Running }], TimeSpan.FromSeconds(30), "evacuee RUNNING");
            var cluster = topology.Clusters.Single(c => c.Name == running.InstanceList[0].ClusterName);

            var clock = Stopwatch.StartNew();
            await cluster.Host.KillAsync(Signals.SigKill);
            await Deploys.WaitAsync(api, serviceId, s => s.InstanceList is [{ Status: InstanceStatus.Running } x] && x.ClusterName != cluster.Name,
                TimeSpan.FromSeconds(90), $"evacuee RUNNING on another cluster after {cluster.Name} was killed");
            times.Add(clock.Elapsed.TotalMilliseconds);
            Console.WriteLine($"  kill {i}: {cluster.Name} → RUNNING on the other cluster in {clock.Elapsed.TotalMilliseconds:0} ms");

            cluster.Host.Start();
            await topology.WaitReadyAsync(TimeSpan.FromSeconds(60));
            await Wait.UntilAsync(() => Task.FromResult(!cluster.Workers.Any(w => w.HoldsInstance(serviceId, 0))),
                TimeSpan.FromSeconds(60), $"{cluster.Name} back and its copy dropped");
            (await api.DeleteAsync($"api/application/{applicationId}")).EnsureSuccessStatusCode();
        }

        return times;
    }

    private static async Task<bool> AllNodesActiveAsync(Topology topology, HttpClient api)
    {
        var nodes = await api.GetFromJsonAsync<List<NodeDocument>>("api/v1/nodes", CanopyJson.Options) ?? [];
        return nodes.Count(n => n.Active) == topology.Workers.Count();
    }
}
