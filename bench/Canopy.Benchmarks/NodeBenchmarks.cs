using System.Diagnostics;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>
/// The node engine JIT (<c>canopy node</c> in the CLI) against native (<c>canopy-node</c>, Native AOT), side by side in one
/// run against one <c>canopy up</c>: start → joined (the node's "Connected to the cluster's broker" line, which follows
/// its registration) and idle RSS with 0 instances and its own containerd started and connected.
/// </summary>
internal static class NodeBenchmarks
{
    private const string JoinedLine = "Connected to the cluster's broker";

    public static async Task RunAsync(int runs, string nativeNode, TimeSpan idle)
    {
        if (!File.Exists(nativeNode))
        {
            throw new InvalidOperationException($"No native node at {nativeNode}: run scripts/publish-node.sh first (scripts/bench.sh node does).");
        }

        // The JIT figures are the CLI's own node even if a canopy-node sits beside the canopy under test.
        Environment.SetEnvironmentVariable("CANOPY_NODE_IN_PROCESS", "1");
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync();
        Console.WriteLine($"node engine, JIT vs native; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        var variants = new (string Name, string? Executable)[] { ("JIT (canopy node)", null), ("native (canopy-node)", nativeNode) };
        var joins = variants.ToDictionary(v => v.Name, _ => new List<double>());
        for (var run = 0; run < runs; run++)
        {
            // Alternating, so that the machine's load drifts over both alike.
            foreach (var (name, executable) in variants)
            {
                await using var node = new NodeProcess(canopy, $"bench-{(executable is null ? "jit" : "aot")}-{run}", executable);
                joins[name].Add(await JoinAsync(node));
                await node.KillAsync(Signals.SigTerm);
            }
        }

        var rss = new Dictionary<string, (double Rss, int Containerd)>();
        foreach (var (name, executable) in variants)
        {
            await using var node = new NodeProcess(canopy, $"bench-{(executable is null ? "jit" : "aot")}-idle", executable);
            await JoinAsync(node);
            await Task.Delay(idle);
            rss[name] = (Stats.RssMb(node.Pid), ContainerdChildren(node.Pid));
            await node.KillAsync(Signals.SigTerm);
        }

        Console.WriteLine($"{"",-22} {"start → joined",-58} idle RSS (0 instances)");
        foreach (var (name, _) in variants)
        {
            var (mb, containerd) = rss[name];
            Console.WriteLine($"{name,-22} {Stats.Summary(joins[name]),-58} {mb:0.0} MB{(containerd > 0 ? " (its containerd running, not counted)" : " (no containerd)")}");
        }

        Console.WriteLine($"native binary: {new FileInfo(nativeNode).Length / 1024.0 / 1024.0:0.0} MB; load average {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    /// <summary>Milliseconds from starting the process to its joined line.</summary>
    private static async Task<double> JoinAsync(NodeProcess node)
    {
        var started = Stopwatch.StartNew();
        node.Start("--log-level", "Information");
        await Wait.ForAsync(() => Task.FromResult(node.Output.Contains(JoinedLine, StringComparison.Ordinal)), joined => joined,
            TimeSpan.FromSeconds(60), $"node {node.Name} to join:\n{node.Output}", TimeSpan.FromMilliseconds(1));
        return started.Elapsed.TotalMilliseconds;
    }

    private static int ContainerdChildren(int pid) =>
        Directory.EnumerateDirectories("/proc").Count(d =>
            int.TryParse(Path.GetFileName(d), out _) && TryRead(Path.Combine(d, "stat")) is { } stat &&
            stat.Contains("(containerd)", StringComparison.Ordinal) &&
            stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] == pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
