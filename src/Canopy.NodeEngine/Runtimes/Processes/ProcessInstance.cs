using System.Diagnostics;
using Canopy.Contracts;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine.Runtimes.Processes;

/// <summary>
/// One process instance (exec, wasm, vm) in memory: the shared bookkeeping plus its wrapper process and cgroup. It shares its node's address
/// (<paramref name="nodeIp"/>), which is what it reports as its own.
/// </summary>
internal sealed class ProcessInstance(InstanceKey key, ProcessPaths paths, InstanceCgroup cgroup, ServiceSpec spec, string nodeIp)
    : RuntimeInstance<ProcessState>(key, paths, spec)
{
    private long _lastCpuNs = -1;
    private long _lastSampleTimestamp;

    /// <summary>The base's paths, typed for the wrapper's own files (exit status, cgroups).</summary>
    public new ProcessPaths Paths { get; } = paths;

    public InstanceCgroup Cgroup { get; } = cgroup;

    /// <summary>The wrapper when this runtime started it; null when adopted (then /proc is polled).</summary>
    public Process? Child { get; set; }

    public int? Pid { get; private set; }
    public ulong StartTime { get; private set; }
    public string? StatPath { get; private set; }
    public long OomKillsAtStart { get; set; }

    /// <summary>The workload's uid and gid (<see cref="WorkloadUser"/>) once allocated; null while none is (or it runs as root).</summary>
    public int? Uid { get; set; }

    /// <summary>True while the recorded wrapper process is the very one started (start time checked against pid reuse).</summary>
    public bool IsProcessAlive => StatPath is not null && ProcessStat.IsAlive(StatPath, StartTime);

    protected override int? ReportedPid => Pid;

    protected override string? ReportedInstanceIp => nodeIp;

    public void SetProcess(int pid, ulong startTime, DateTimeOffset startedAt)
    {
        lock (Sync)
        {
            Pid = pid;
            StartTime = startTime;
            StatPath = ProcessStat.PathOf(pid);
            StartedAt = startedAt;
            _lastCpuNs = -1;
        }
    }

    public override void ClearRun()
    {
        lock (Sync)
        {
            Pid = null;
            StatPath = null;
            StartTime = 0;
        }
    }

    /// <summary>CPU percent of the whole node since the previous sample (0 for the first).</summary>
    public double CpuPercentSince(long cpuNs)
    {
        var now = Stopwatch.GetTimestamp();
        lock (Sync)
        {
            var percent = 0.0;
            if (_lastCpuNs >= 0 && cpuNs >= _lastCpuNs)
            {
                var elapsedNs = Stopwatch.GetElapsedTime(_lastSampleTimestamp, now).Ticks * 100.0;
                if (elapsedNs > 0)
                {
                    percent = (cpuNs - _lastCpuNs) / elapsedNs / Environment.ProcessorCount * 100.0;
                }
            }

            _lastCpuNs = cpuNs;
            _lastSampleTimestamp = now;
            return percent;
        }
    }

    public override ProcessState ToState()
    {
        lock (Sync)
        {
            return WithSharedFields(new ProcessState { Pid = Pid, StartTime = StartTime, OomKillsAtStart = OomKillsAtStart, Uid = Uid });
        }
    }

    public override void Load(ProcessState state)
    {
        base.Load(state);
        if (state.Pid is { } pid)
        {
            SetProcess(pid, state.StartTime, state.StartedAt ?? DateTimeOffset.UtcNow);
        }

        OomKillsAtStart = state.OomKillsAtStart;
        Uid = state.Uid;
    }
}
