using System.Diagnostics;
using System.Globalization;
using Canopy.Contracts;
using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>
/// Issue 14's figures: every runtime the node engine offers, side by side in one run, with the same page-server
/// workload (<see cref="RuntimeWorkload"/>), in this process through the node engine's own runtimes: deploy → RUNNING
/// and deploy → first answer on its port, idle memory per instance, and instances per node until the memory of a small
/// device (the instances' parent cgroup capped) runs out.
/// </summary>
internal static class RuntimeBenchmarks
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <param name="only">The runtimes to measure (all of the table when null).</param>
    public static async Task RunAsync(int runs, int idleInstances, TimeSpan idle, int deviceMb, int maxInstances, IReadOnlyCollection<string>? only = null)
    {
        Console.WriteLine($"runtimes side by side; {runs} deploys each, idle memory of {idleInstances} instances after {idle.TotalSeconds:0} s, " +
            $"density under a {deviceMb} MB cap (at most {maxInstances}); load average {Stats.LoadAverage()}");
        await using var node = await BenchNode.StartAsync(deviceMb);
        var rows = new List<string[]>();
        foreach (var workload in RuntimeWorkload.All.Where(w => only is null || only.Contains(w.Runtime)))
        {
            if (node.Find(workload.Runtime) is not { } runtime)
            {
                Console.WriteLine($"{workload.Runtime}: skipped, this node engine has no such runtime");
                continue;
            }

            if (!runtime.IsAvailable)
            {
                Console.WriteLine($"{workload.Runtime}: skipped, not offered on this node: {runtime.UnavailableReason}");
                continue;
            }

            if (workload.Prepare is { } prepare)
            {
                await prepare(node);
            }

            var (running, answered) = await DeploysAsync(node, runtime, workload, runs);
            var memory = await IdleMemoryAsync(node, runtime, workload, idleInstances, idle);
            var density = await DensityAsync(node, runtime, workload, maxInstances);
            Console.WriteLine($"{workload.Runtime}: deploy → RUNNING {Stats.Summary(running)}; deploy → page {Stats.Summary(answered)}");
            Console.WriteLine($"{workload.Runtime}: idle memory counts {workload.Counted}");
            Console.WriteLine($"{workload.Runtime}: density {density.Count} instances, stopped by: {density.StoppedBy}");
            rows.Add(
            [
                workload.Runtime,
                $"{Stats.Percentile(running, 50):0} / {Stats.Percentile(running, 95):0} ms",
                $"{Stats.Percentile(answered, 50):0} / {Stats.Percentile(answered, 95):0} ms",
                $"{memory.RssMb:0.00} / {memory.PssMb:0.00} MB ({memory.Processes} proc.)",
                Density(density.Count, density.ChargedMb, deviceMb, maxInstances),
            ]);
        }

        Print(
            ["runtime", "deploy → RUNNING (median / p95)", "deploy → page (median / p95)", "idle RSS / PSS per instance", $"instances in {deviceMb} MB"],
            rows);
        Console.WriteLine($"load average {Stats.LoadAverage()}");
    }

    /// <summary>Deploy → RUNNING and deploy → first page, each instance removed before the next; one warm-up first (image pull, module fetch).</summary>
    private static async Task<(List<double> Running, List<double> Answered)> DeploysAsync(BenchNode node, IRuntime runtime, RuntimeWorkload workload, int runs)
    {
        var running = new List<double>();
        var answered = new List<double>();
        for (var run = -1; run < runs; run++)
        {
            var port = FreePort.Block(1);
            var spec = workload.Serving(node, NewServiceId(), port);
            var clock = Stopwatch.StartNew();
            var report = await node.DeployAsync(runtime, spec, CancellationToken.None);
            var toRunning = clock.Elapsed.TotalMilliseconds;
            Expect(report, InstanceStatus.Running, workload);
            await FirstPageAsync(port, workload.PagePath);
            var toPage = clock.Elapsed.TotalMilliseconds;
            await node.RemoveAsync(Key(spec));
            if (run >= 0)
            {
                running.Add(toRunning);
                answered.Add(toPage);
            }
        }

        return (running, answered);
    }

    /// <summary>The median over <paramref name="count"/> serving instances, left alone for <paramref name="idle"/>.</summary>
    private static async Task<InstanceMemory> IdleMemoryAsync(BenchNode node, IRuntime runtime, RuntimeWorkload workload, int count, TimeSpan idle)
    {
        var reports = new List<InstanceReport>();
        for (var i = 0; i < count; i++)
        {
            var port = FreePort.Block(1);
            var report = await node.DeployAsync(runtime, workload.Serving(node, NewServiceId(), port), CancellationToken.None);
            Expect(report, InstanceStatus.Running, workload);
            await FirstPageAsync(port, workload.PagePath);
            reports.Add(report);
        }

        await Task.Delay(idle);
        var measured = new List<InstanceMemory>();
        foreach (var report in reports)
        {
            measured.Add(InstanceMemory.Of(await InstanceMemory.ProcessesAsync(node, report)));
        }

        await node.RemoveAllAsync();
        return new InstanceMemory(
            Stats.Percentile(measured.Select(m => m.RssMb).ToList(), 50),
            Stats.Percentile(measured.Select(m => m.PssMb).ToList(), 50),
            measured.Max(m => m.Processes));
    }

    /// <summary>
    /// Deploys serving instances one by one under the capped parent cgroup until one does not reach RUNNING, the kernel
    /// OOM-kills inside the cap or an instance ends; the count is how many ran before that. Daemons the instances share
    /// (the node engine, containerd) stay outside the cap.
    /// </summary>
    private static async Task<(int Count, string StoppedBy, double ChargedMb)> DensityAsync(BenchNode node, IRuntime runtime, RuntimeWorkload workload, int max)
    {
        // A pod's containerd-shim starts in containerd's cgroup: containerd goes under the cap while it starts a pod, so
        // that the shim is charged there like an exec instance's wrapper, and back out at once, so that the daemon the
        // instances share (the largest process, the OOM killer's pick) is not counted, like the node engine.
        var containerd = workload.Runtime == "container" ? node.ContainerdPid : null;
        node.Device.Reclaim();
        var baseline = node.Device.UsageMb;
        var oomKills = node.Device.OomKills;
        node.Reports.Clear();
        var count = 0;
        var stoppedBy = $"the limit of {max} instances (memory left)";
        var clock = Stopwatch.StartNew();
        try
        {
            while (count < max)
            {
                var spec = workload.Serving(node, NewServiceId(), FreePort.Block(1));
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
                InstanceReport report;
                var daemonWas = containerd is { } admitted ? node.Device.Admit(admitted, "containerd") : null;
                try
                {
                    report = await node.DeployAsync(runtime, spec, timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    stoppedBy = $"deploy {count + 1} did not finish in 90 s";
                    break;
                }
                finally
                {
                    if (containerd is { } daemon && daemonWas is not null && !node.Device.Return(daemon, daemonWas))
                    {
                        containerd = node.ContainerdPid; // its supervisor starts another
                    }
                }

                if (report.Status != InstanceStatus.Running)
                {
                    stoppedBy = $"deploy {count + 1} ended {report.Status.ToWireName()}: {report.StatusDetail}";
                    break;
                }

                if (node.Device.OomKills > oomKills)
                {
                    stoppedBy = $"the kernel OOM-killed inside the cap at deploy {count + 1}";
                    break;
                }

                if (node.Reports.FirstOrDefault(r => r.Status is InstanceStatus.Dead or InstanceStatus.Failed) is { } ended)
                {
                    stoppedBy = $"an instance ended {ended.Status.ToWireName()} at deploy {count + 1}: {ended.StatusDetail}";
                    break;
                }

                count++;
            }

            var charged = node.Device.UsageMb - baseline;
            Console.WriteLine($"{workload.Runtime}: {count} instances deployed in {clock.Elapsed.TotalSeconds:0} s, {node.Device.UsageMb:0} MB charged to the cap ({charged:0} MB over the {baseline:0} MB before)");
            return (count, stoppedBy, charged);
        }
        finally
        {
            await node.RemoveAllAsync();
        }
    }

    /// <summary>The count, what each instance charged, and when the cap was not reached, how many would fit at that rate.</summary>
    private static string Density(int count, double chargedMb, int deviceMb, int max)
    {
        var each = chargedMb / Math.Max(count, 1);
        return count < max
            ? $"{count} ({each:0.00} MB each)"
            : $"over {max} ({each:0.00} MB each: ~{deviceMb / each:0} would fit)";
    }

    private static async Task FirstPageAsync(int port, string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}{path}");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no page on port {port} within 30 s");
            }

            await Task.Delay(5);
        }
    }

    private static void Expect(InstanceReport report, InstanceStatus status, RuntimeWorkload workload)
    {
        if (report.Status != status)
        {
            throw new InvalidOperationException($"{workload.Runtime}: the benchmark workload ended {report.Status.ToWireName()} instead of {status.ToWireName()}: {report.StatusDetail}");
        }
    }

    private static string NewServiceId() => Guid.NewGuid().ToString("N")[..24];

    private static InstanceKey Key(ServiceSpec spec) => new(spec.ServiceId, 0);

    private static void Print(string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        string Line(string[] cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";
        Console.WriteLine(Line(header));
        Console.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in rows)
        {
            Console.WriteLine(Line(row));
        }
    }
}
