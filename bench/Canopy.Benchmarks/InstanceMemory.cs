using System.Globalization;
using Canopy.Contracts;
using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes.Container;

namespace Canopy.Benchmarks;

/// <summary>
/// The memory of one instance's processes: RSS (every page it maps, shared ones too) and PSS (shared pages split among
/// the processes that map them: what it really adds to the machine), from /proc.
/// </summary>
internal readonly record struct InstanceMemory(double RssMb, double PssMb, int Processes)
{
    public static InstanceMemory Of(IReadOnlyCollection<int> pids) =>
        new(pids.Sum(pid => Field($"/proc/{pid}/status", "VmRSS:")), pids.Sum(pid => Field($"/proc/{pid}/smaps_rollup", "Pss:")), pids.Count);

    /// <summary>
    /// The instance's processes. A runtime that reports a pid runs the instance as that process's group (the wrapper,
    /// the workload or its host process, what they start); a container is the pod's processes (from their cgroups) and
    /// their parent, the pod's containerd-shim.
    /// </summary>
    public static async Task<IReadOnlyCollection<int>> ProcessesAsync(BenchNode node, InstanceReport report)
    {
        if (report.Pid is { } group)
        {
            return AllProcesses().Where(p => p.Group == group).Select(p => p.Pid).ToArray();
        }

        using var cri = node.Cri();
        var key = new InstanceKey(report.ServiceId, report.InstanceNumber);
        var selector = ContainerLabels.InstanceSelector(NodeKey.Of(node.DataDir), key);
        var ids = (await cri.ListContainersAsync(selector, CancellationToken.None)).Select(c => c.Id)
            .Concat((await cri.ListPodSandboxAsync(selector, CancellationToken.None)).Select(s => s.Id));
        var pod = ids.SelectMany(node.Device.ProcessesOf).ToHashSet();
        var shims = AllProcesses().Where(p => pod.Contains(p.Pid)).Select(p => p.Parent).Where(p => !pod.Contains(p));
        return pod.Concat(shims).Distinct().ToArray();
    }

    private static IEnumerable<(int Pid, int Parent, int Group)> AllProcesses()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // gone meanwhile
            }

            // After the name in parentheses (which may hold spaces): state, ppid, pgrp.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            yield return (pid, int.Parse(fields[1], CultureInfo.InvariantCulture), int.Parse(fields[2], CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A "Name:   1234 kB" line of a /proc file, in MB; 0 when the process is gone.</summary>
    private static double Field(string file, string name)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith(name, StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}
