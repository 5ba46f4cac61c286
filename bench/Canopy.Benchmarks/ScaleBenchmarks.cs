using System.Diagnostics;

namespace Canopy.Benchmarks;

/// <summary>
/// How many nodes one cluster holds (issue 11 section 2): `canopy root` and `canopy cluster` as processes, and
/// `canopy node --simulate N` (N simulated node engines, each registering through the real path and holding its own TLS
/// session with the cluster's Mosquitto). For each N, a fresh cluster: the time until all N are active, then the idle
/// CPU and RSS of the cluster, Mosquitto and the simulator, and Mosquitto's open files. A step that fails is reported
/// with its reason and the ramp stops there.
/// </summary>
internal static class ScaleBenchmarks
{
    private static readonly string[] Measured = ["cluster", "mosquitto", "root", "node"];

    /// <param name="workload">False: only the nodes joining and idling (the registration half), no scale or drop.</param>
    /// <param name="keepAliveSeconds">The simulated nodes' MQTT keep-alive; null: the node engine's default.</param>
    public static async Task RunAsync(IReadOnlyList<int> steps, TimeSpan idle, bool workload = true, int? keepAliveSeconds = null)
    {
        Console.WriteLine($"Nodes per cluster (simulated nodes, TLS, keep-alive {(keepAliveSeconds is { } k ? $"{k} s" : "the node's default")}); load average at the start {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| nodes | all active after | cluster idle CPU / RSS | Mosquitto idle CPU / RSS / open files | root idle CPU | simulator CPU / RSS | scale 0 → N RUNNING at the root | a tenth of the nodes cut → all RUNNING elsewhere | load average |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var n in steps)
        {
            try
            {
                Console.WriteLine(await StepAsync(n, idle, workload, keepAliveSeconds));
            }
            catch (Exception e) when (e is TimeoutException or HttpRequestException or InvalidOperationException or IOException)
            {
                Console.WriteLine($"| {n} | failed: {e.Message.Split('\n')[0]} | | | | | | | {LoadAverage()} |");
                Console.WriteLine();
                Console.WriteLine(e.Message);
                break;
            }
        }

        Console.WriteLine();
        Console.WriteLine($"load average at the end {LoadAverage()}");
    }

    private static async Task<string> StepAsync(int nodes, TimeSpan idle, bool workload, int? keepAliveSeconds)
    {
        await using var tiers = new SeparateTiers(tls: true);
        var started = Stopwatch.StartNew();
        await tiers.StartSimulatedAsync(nodes, clusterLogLevel: "Information", keepAliveSeconds);
        var since = started.Elapsed;
        var beforeJoins = Measured.ToDictionary(t => t, t => Stats.CpuTime(tiers.Pids[t]));
        // Joining thousands is bounded by the machine; a minute plus 300 ms a node (on a busy machine about 5 nodes/s were seen).
        await tiers.WaitForActiveNodesAsync(nodes, TimeSpan.FromMinutes(1) + TimeSpan.FromMilliseconds(300 * nodes));
        var joined = started.Elapsed - since;

        // CPU per join (the simulator's start-up included): what bounds joins/s on a busy machine, where every process waits for a core.
        var joinCpu = Measured.ToDictionary(t => t, t => (Stats.CpuTime(tiers.Pids[t]) - beforeJoins[t]).TotalMilliseconds / nodes);
        Console.Error.WriteLine($"{nodes} nodes, CPU per join: cluster {joinCpu["cluster"]:0.0} ms, Mosquitto {joinCpu["mosquitto"]:0.0} ms, " +
                                $"simulator {joinCpu["node"]:0.0} ms, root {joinCpu["root"]:0.0} ms");

        await Task.Delay(TimeSpan.FromSeconds(15)); // the last registrations' work and the first inventories are not idle
        var before = Measured.ToDictionary(t => t, t => Stats.CpuTime(tiers.Pids[t]));
        await Task.Delay(idle);
        var cpu = Measured.ToDictionary(t => t, t => (Stats.CpuTime(tiers.Pids[t]) - before[t]) / idle * 100);
        var rss = Measured.ToDictionary(t => t, t => Stats.RssMb(tiers.Pids[t]));
        var files = Directory.GetFiles($"/proc/{tiers.Pids["mosquitto"]}/fd").Length;
        var idleLoad = LoadAverage();

        // Where the registrations' time went, from the cluster's own summary (RegistrationTimings), below the table's row.
        foreach (var summary in tiers.OutputLines("cluster", "registrations in").TakeLast(1))
        {
            Console.Error.WriteLine($"{nodes} nodes, the cluster's registration steps: {summary}");
        }

        await tiers.SendToNodesAsync("status");
        await Task.Delay(TimeSpan.FromSeconds(1));
        foreach (var joins in tiers.OutputLines("node", "online ").TakeLast(2))
        {
            Console.Error.WriteLine($"{nodes} nodes, the simulator's joins: {joins}");
        }

        if (!workload)
        {
            return $"| {nodes:N0} | {joined.TotalSeconds:0.0} s ({nodes / joined.TotalSeconds:0} nodes/s) | {cpu["cluster"]:0.0} % / {rss["cluster"]:0} MB | " +
                   $"{cpu["mosquitto"]:0.0} % / {rss["mosquitto"]:0} MB / {files:N0} | {cpu["root"]:0.0} % | {cpu["node"]:0.0} % / {rss["node"]:0} MB | | | {idleLoad} |";
        }

        // N instances (at most 1,000: section 3's figure), then a tenth of the nodes cut.
        var instances = Math.Min(nodes, 1000);
        var (scaled, moved, moving) = await ScaleWorkload.RunAsync(tiers, nodes, instances);
        return $"| {nodes:N0} | {joined.TotalSeconds:0.0} s ({nodes / joined.TotalSeconds:0} nodes/s) | {cpu["cluster"]:0.0} % / {rss["cluster"]:0} MB | " +
               $"{cpu["mosquitto"]:0.0} % / {rss["mosquitto"]:0} MB / {files:N0} | {cpu["root"]:0.0} % | {cpu["node"]:0.0} % / {rss["node"]:0} MB | " +
               $"{instances:N0}: {scaled.TotalSeconds:0.0} s | {nodes / 10:N0} cut, {moving} instances on them: {moved.TotalSeconds:0.0} s | {idleLoad}, at the end {LoadAverage()} |";
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
