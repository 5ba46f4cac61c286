using System.Diagnostics;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>
/// Cluster failover between root replicas (issue 12): three <c>canopy root</c> processes on one PostgreSQL database and two
/// clusters that know all three, each a network namespace (<see cref="Topology"/> with <c>roots: 3</c>). Each run SIGKILLs the
/// leader and measures kill → a new leader named by <c>/health</c>, kill → each cluster linked to it (the cluster's own
/// <c>linked_since</c>, same clock), and kill → the first placement of a deployment sent through a surviving replica right after
/// the kill; then the killed replica starts again as a follower. Before the runs, each replica's RSS when idle.
/// </summary>
internal static class FailoverBenchmarks
{
    public static async Task RunAsync(int runs)
    {
        await using var topology = await Topology.StartAsync(clusters: 2, workers: 1, roots: 3);
        Console.WriteLine($"topology: 3 root replicas on PostgreSQL + 2 clusters × 1 worker ready in {topology.StartupTime.TotalSeconds:0.0} s");
        foreach (var root in topology.Roots)
        {
            Console.WriteLine($"  {root.Name}: RSS {Rss(root.Pid) / 1024.0:0.0} MB idle");
        }

        var elections = new List<double>();
        var relinks = new List<double>();
        var placements = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var leader = await topology.LeaderAsync();
            var survivors = topology.Roots.Where(r => r != leader).ToList();
            // A replica restarted by the previous run registers before its API listens: log in once it answers.
            using var api = await Wait.ForAsync(() => topology.ApiAsync(survivors[0]), _ => true, TimeSpan.FromSeconds(30), $"{survivors[0].Name}'s API");
            var service = await SleeperApplication.CreateAsync(api, $"failover{run}", "bench");
            var killedAt = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            await leader.KillAsync(Signals.SigKill);
            (await api.PostAsync($"api/service/{service}/instance", null)).EnsureSuccessStatusCode();
            var placing = PlacedAfterAsync(api, service, clock);

            var next = await Wait.ForAsync(() => topology.LeaderAsync(survivors), l => l != leader, TimeSpan.FromSeconds(30), "a new leader");
            elections.Add(clock.Elapsed.TotalMilliseconds);
            foreach (var cluster in topology.Clusters)
            {
                var linked = await Wait.ForAsync(cluster.LinkedRootAsync, l => l.Connected && l.Url == Topology.UrlOf(next) && l.Since is not null,
                    TimeSpan.FromSeconds(30), $"{cluster.Name} linked to {next.Name}");
                relinks.Add((linked.Since!.Value - killedAt).TotalMilliseconds);
            }

            placements.Add(await placing);

            leader.Start();
            await Wait.UntilAsync(async () => (await ReplicasAsync(topology, next)) == 3, TimeSpan.FromSeconds(60), $"{leader.Name} back as a replica");
            Console.WriteLine($"  run {run + 1}: {leader.Name} killed, {next.Name} leads after {elections[^1]:0} ms, clusters relinked after " +
                              string.Join(", ", relinks.TakeLast(topology.Clusters.Count).Select(r => $"{r:0} ms")) + $", first placement after {placements[^1]:0} ms");
        }

        Console.WriteLine($"leader SIGKILL → a new leader in /health: {Stats.Summary(elections)}");
        Console.WriteLine($"leader SIGKILL → cluster linked to the new leader (goal 2 s): {Stats.Summary(relinks)}");
        Console.WriteLine($"leader SIGKILL → first placement of a deployment sent right after it (goal 5 s): {Stats.Summary(placements)}");
    }

    /// <summary>Milliseconds on <paramref name="clock"/> when the service's instance is first placed on a cluster.</summary>
    private static async Task<double> PlacedAfterAsync(HttpClient api, string service, Stopwatch clock)
    {
        await Wait.UntilAsync(
            async () => (await api.GetFromJsonAsync<ServiceDocument>($"api/service/{service}", CanopyJson.Options))!.InstanceList.Any(i => i.ClusterName is not null),
            TimeSpan.FromSeconds(30), "the deployment placed");
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>VmRSS in kB.</summary>
    private static long Rss(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture)).Single();

    private static async Task<int> ReplicasAsync(Topology topology, TopologyHost replica)
    {
        using var http = PinnedHttp.Client(topology.RootPkiDir, Topology.UrlOf(replica), TimeSpan.FromSeconds(3));
        return (await http.GetFromJsonAsync<RootHealth>("health", CanopyJson.Options))?.Replicas.Count ?? 0;
    }
}
