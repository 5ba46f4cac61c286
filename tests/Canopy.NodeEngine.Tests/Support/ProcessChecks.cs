using System.Globalization;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Linux;
using Canopy.NodeEngine.Runtimes;

namespace Canopy.NodeEngine.Tests.Support;

/// <summary>
/// The node seen from outside for a runtime that runs an instance as a wrapper process (its own session and process
/// group) in the instance's cgroup, with the workload as the wrapper's child: exec, and the runtimes built like it.
/// </summary>
public static class ProcessChecks
{
    /// <summary>SIGKILLs the reported wrapper's children (the workload), as a crash would; the wrapper survives to record the exit.</summary>
    public static async Task KillWorkloadAsync(IRuntime runtime, InstanceKey key)
    {
        var wrapper = runtime.Find(key)?.Pid ?? throw new InvalidOperationException($"{key} reports no pid");
        var workload = await Eventually.Until(() => Procs.ChildrenOf(wrapper), c => c is { Length: > 0 }, $"the workload under wrapper {wrapper}");
        foreach (var pid in workload)
        {
            LibC.Kill(pid, LibC.SigKill);
        }
    }

    /// <summary>One entry per live process group among the instance cgroup's processes and the wrappers it reported: each is a copy.</summary>
    public static IReadOnlyList<string> RunningCopies(InstanceCgroup cgroup, IEnumerable<int> reportedPids) =>
        cgroup.ReadPids().Concat(reportedPids)
            .Select(Procs.GroupOf)
            .OfType<int>()
            .Distinct()
            .Order()
            .Select(group => $"process group {group.ToString(CultureInfo.InvariantCulture)}")
            .ToArray();

    /// <summary>Live process groups it reported, processes in its cgroup and the cgroup's directories.</summary>
    public static IReadOnlyList<string> LeftOnNode(InstanceCgroup cgroup, IEnumerable<int> reportedPids) =>
        reportedPids.Where(Procs.GroupExists).Select(pid => $"process group {pid.ToString(CultureInfo.InvariantCulture)}")
            .Concat(cgroup.ReadPids().Select(pid => $"process {pid.ToString(CultureInfo.InvariantCulture)} in its cgroup"))
            .Concat(cgroup.Directories.Where(Directory.Exists).Select(dir => $"cgroup {dir}"))
            .ToArray();
}
