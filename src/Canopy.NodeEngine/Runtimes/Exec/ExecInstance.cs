using System.Diagnostics;
using Canopy.Contracts;
using Canopy.Core.States;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine.Runtimes.Exec;

/// <summary>
/// One exec instance in memory. Changes happen under <see cref="Gate"/> (deploy, exit handling, restart, stop,
/// removal never interleave); <see cref="ToReport"/> may be called at any time and reads a consistent copy under a lock.
/// </summary>
internal sealed class ExecInstance(InstanceKey key, ExecPaths paths, InstanceCgroup cgroup, ServiceSpec spec)
{
    private readonly Lock _lock = new();
    private long _lastCpuNs = -1;
    private long _lastSampleTimestamp;

    public InstanceKey Key { get; } = key;
    public ExecPaths Paths { get; } = paths;
    public InstanceCgroup Cgroup { get; } = cgroup;
    public ServiceSpec Spec { get; set; } = spec;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Cancelled when the instance is stopped, removed, redeployed or the runtime disposed: ends its supervision.</summary>
    public CancellationTokenSource Life { get; private set; } = new();

    /// <summary>Waits for the exit, applies the restart policy, restarts.</summary>
    public Task Supervisor { get; set; } = Task.CompletedTask;

    /// <summary>The wrapper when this runtime started it; null when adopted (then /proc is polled).</summary>
    public Process? Child { get; set; }

    /// <summary>Set once removed from the runtime: a deploy that waited for the gate must take a fresh object.</summary>
    public bool Removed { get; set; }

    public InstanceStatus Status { get; private set; } = InstanceStatus.NodeScheduled;
    public string? Detail { get; private set; }
    public int? Pid { get; private set; }
    public ulong StartTime { get; private set; }
    public string? StatPath { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public int RestartCount { get; set; }
    public int ConsecutiveRestarts { get; set; }
    public int? ExitCode { get; set; }
    public long OomKillsAtStart { get; set; }
    public bool RestartPending { get; set; }
    public bool StoppedByNode { get; set; }
    public string? HostPort { get; set; }

    /// <summary>True while the recorded wrapper process is the very one started (start time checked against pid reuse).</summary>
    public bool IsProcessAlive => StatPath is not null && ProcessStat.IsAlive(StatPath, StartTime);

    /// <summary>A new life for a (re)deploy, tied to the runtime's; the old one is released (it holds a registration on the parent).</summary>
    public void RenewLife(CancellationToken runtimeLife)
    {
        var old = Life;
        Life = CancellationTokenSource.CreateLinkedTokenSource(runtimeLife);
        old.Dispose();
    }

    /// <summary>Ends the supervision. Tolerates a life already released by a concurrent removal.</summary>
    public async Task EndLifeAsync()
    {
        try
        {
            await Life.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // Released by a removal that ran meanwhile: nothing left to end.
        }
    }

    public void ReleaseLife() => Life.Dispose();

    public void SetStatus(InstanceStatus status, string? detail)
    {
        lock (_lock)
        {
            Status = status;
            Detail = detail;
        }
    }

    public void SetProcess(int pid, ulong startTime, DateTimeOffset startedAt)
    {
        lock (_lock)
        {
            Pid = pid;
            StartTime = startTime;
            StatPath = ProcessStat.PathOf(pid);
            StartedAt = startedAt;
            _lastCpuNs = -1;
        }
    }

    public void ClearProcess()
    {
        lock (_lock)
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
        lock (_lock)
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

    public InstanceReport ToReport()
    {
        lock (_lock)
        {
            return new InstanceReport
            {
                ServiceId = Key.ServiceId,
                JobName = Spec.JobName,
                InstanceNumber = Key.InstanceNumber,
                Status = Status,
                StatusDetail = Detail,
                HostPort = HostPort,
                RestartCount = RestartCount,
                ExitCode = ExitCode,
                Pid = Pid,
                StartedAt = StartedAt,
                Timestamp = DateTimeOffset.UtcNow,
            };
        }
    }

    public ExecState ToState()
    {
        lock (_lock)
        {
            return new ExecState
            {
                Status = Status,
                StatusDetail = Detail,
                Pid = Pid,
                StartTime = StartTime,
                StartedAt = StartedAt,
                RestartCount = RestartCount,
                ConsecutiveRestarts = ConsecutiveRestarts,
                ExitCode = ExitCode,
                OomKillsAtStart = OomKillsAtStart,
                RestartPending = RestartPending,
                StoppedByNode = StoppedByNode,
                HostPort = HostPort,
            };
        }
    }

    public void Load(ExecState state)
    {
        SetStatus(state.Status, state.StatusDetail);
        if (state.Pid is { } pid)
        {
            SetProcess(pid, state.StartTime, state.StartedAt ?? DateTimeOffset.UtcNow);
        }

        RestartCount = state.RestartCount;
        ConsecutiveRestarts = state.ConsecutiveRestarts;
        ExitCode = state.ExitCode;
        OomKillsAtStart = state.OomKillsAtStart;
        RestartPending = state.RestartPending;
        StoppedByNode = state.StoppedByNode;
        HostPort = state.HostPort;
    }
}
