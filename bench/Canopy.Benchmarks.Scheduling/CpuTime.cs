using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Canopy.Core.Scheduling;

namespace Canopy.Benchmarks.Scheduling;

/// <summary>
/// <c>--cpu-time</c>: the same cases timed by the CPU time of the thread that runs them rather than by the wall clock, so
/// that a machine busy with other work (this one is shared) slows the figure less. Placements per CPU-second is what one core
/// does; BenchmarkDotNet's wall-clock figures are the ones to quote from a quiet machine.
/// </summary>
internal static class CpuTime
{
    private static readonly string[] Algorithms = [.. PlacementAlgorithms.Names];

    public static void Run()
    {
        Console.WriteLine("| case | placements per CPU-second | CPU µs per placement |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var algorithm in Algorithms)
        {
            foreach (var kind in new[] { RequestKind.Plain, RequestKind.Geo, RequestKind.Addons, RequestKind.Direct, RequestKind.Arch })
            {
                var cluster = new ClusterPlacement { Algorithm = algorithm, Request = kind };
                cluster.Setup();
                Report($"cluster, 5,000 nodes, {algorithm}, {kind}", () => cluster.Place());
            }
        }

        foreach (var algorithm in Algorithms)
        {
            var root = new RootPlacement { Algorithm = algorithm, Request = RequestKind.Plain };
            root.Setup();
            Report($"root, 100 clusters, {algorithm}, Plain", () => root.Place());
        }

        var building = new CandidateBuilding();
        building.Setup();
        Report("CandidateBuilder.Build, 5,000 nodes", () => building.Cluster5000Nodes());
        Report("ClusterCandidates.From, 100 clusters", () => building.Root100Clusters());
    }

    /// <summary>Warms up for a second, then runs the case until it has used half a CPU-second.</summary>
    private static void Report(string name, Func<object?> operation)
    {
        // Long enough for tiered compilation to replace the first, unoptimised code (BenchmarkDotNet's warm-up does the same).
        for (var warmUp = Stopwatch.StartNew(); warmUp.Elapsed < TimeSpan.FromSeconds(1);)
        {
            operation();
        }

        var (start, runs) = (ThreadCpu(), 0);
        var wall = Stopwatch.StartNew();
        while (ThreadCpu() - start < TimeSpan.FromSeconds(0.5) && wall.Elapsed < TimeSpan.FromSeconds(20))
        {
            operation();
            runs++;
        }

        var perRun = (ThreadCpu() - start) / runs;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {TimeSpan.FromSeconds(1) / perRun:N0} | {perRun.TotalMicroseconds:N1} |"));
    }

    private static TimeSpan ThreadCpu()
    {
        const int threadCpuTimeClock = 3; // CLOCK_THREAD_CPUTIME_ID
        return ClockGetTime(threadCpuTimeClock, out var now) == 0
            ? TimeSpan.FromSeconds(now.Seconds) + TimeSpan.FromTicks(now.Nanoseconds / 100)
            : throw new InvalidOperationException($"clock_gettime failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
