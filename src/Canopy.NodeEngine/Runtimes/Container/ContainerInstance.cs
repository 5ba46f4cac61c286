using Canopy.Contracts;
using Canopy.Core.Descriptors;
using Canopy.Core.States;
using Canopy.NodeEngine.Instances;

namespace Canopy.NodeEngine.Runtimes.Container;

/// <summary>
/// One container instance in memory. Changes happen under <see cref="Gate"/> (deploy, exit handling, restart, stop,
/// removal never interleave); <see cref="ToReport"/> and the watch loop read a consistent copy under a lock.
/// </summary>
internal sealed class ContainerInstance(InstanceKey key, ContainerPaths paths, ServiceSpec spec)
{
    private readonly Lock _lock = new();
    private ulong _lastCpuNs;
    private long _lastCpuTimestamp;

    public InstanceKey Key { get; } = key;
    public ContainerPaths Paths { get; } = paths;
    public ServiceSpec Spec { get; set; } = spec;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Cancelled when the instance is stopped, removed, redeployed or the runtime disposed: ends its exit handling.</summary>
    public CancellationTokenSource Life { get; private set; } = new();

    /// <summary>Handles one exit: applies the restart policy, waits the back-off, restarts. Completed while nothing is pending.</summary>
    public Task Supervisor { get; set; } = Task.CompletedTask;

    /// <summary>Set once removed from the runtime: a deploy that waited for the gate must take a fresh object.</summary>
    public bool Removed { get; set; }

    public InstanceStatus Status { get; private set; } = InstanceStatus.NodeScheduled;
    public string? Detail { get; private set; }
    public string? SandboxId { get; private set; }
    public string? ContainerId { get; private set; }
    public uint SandboxAttempt { get; set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public int RestartCount { get; set; }
    public int ConsecutiveRestarts { get; set; }
    public int? ExitCode { get; set; }
    public bool RestartPending { get; set; }
    public bool StoppedByNode { get; set; }
    public string? HostPort { get; set; }

    /// <summary>The host ports its sandbox publishes (DNAT binds nothing, so only this list tells they are taken).</summary>
    public IReadOnlyList<PortMapping> PublishedPorts { get; set; } = [];

    /// <summary>CPU since the previous sample (0 for the first) and memory of the last sample; null before the first.</summary>
    public InstanceStats? Stats { get; private set; }

    /// <summary>A new life for a (re)deploy, tied to the runtime's; the old one is released.</summary>
    public void RenewLife(CancellationToken runtimeLife)
    {
        var old = Life;
        Life = CancellationTokenSource.CreateLinkedTokenSource(runtimeLife);
        old.Dispose();
    }

    /// <summary>The life's token, or a cancelled one when a concurrent removal already released it.</summary>
    public CancellationToken LifeToken
    {
        get
        {
            try
            {
                return Life.Token;
            }
            catch (ObjectDisposedException)
            {
                return new CancellationToken(canceled: true);
            }
        }
    }

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

    public void SetSandbox(string? sandboxId)
    {
        lock (_lock)
        {
            SandboxId = sandboxId;
        }
    }

    public void SetContainer(string? containerId, DateTimeOffset? startedAt)
    {
        lock (_lock)
        {
            ContainerId = containerId;
            StartedAt = startedAt;
            Stats = null;
            _lastCpuTimestamp = 0;
        }
    }

    /// <summary>Takes one CRI stats sample; CPU is the share of the whole node (all cores = 100) since the previous sample.</summary>
    public void AddSample(ulong cpuNs, long timestampNs, ulong workingSetBytes)
    {
        lock (_lock)
        {
            var cpu = 0.0;
            if (_lastCpuTimestamp > 0 && timestampNs > _lastCpuTimestamp && cpuNs >= _lastCpuNs)
            {
                cpu = (cpuNs - _lastCpuNs) * 100.0 / (timestampNs - _lastCpuTimestamp) / Environment.ProcessorCount;
            }

            _lastCpuNs = cpuNs;
            _lastCpuTimestamp = timestampNs;
            Stats = new InstanceStats(cpu, workingSetBytes / (1024.0 * 1024.0));
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
                StartedAt = StartedAt,
                Timestamp = DateTimeOffset.UtcNow,
            };
        }
    }

    public ContainerInstanceState ToState()
    {
        lock (_lock)
        {
            return new ContainerInstanceState
            {
                Status = Status,
                StatusDetail = Detail,
                SandboxId = SandboxId,
                ContainerId = ContainerId,
                SandboxAttempt = SandboxAttempt,
                StartedAt = StartedAt,
                RestartCount = RestartCount,
                ConsecutiveRestarts = ConsecutiveRestarts,
                ExitCode = ExitCode,
                RestartPending = RestartPending,
                StoppedByNode = StoppedByNode,
                HostPort = HostPort,
            };
        }
    }

    public void Load(ContainerInstanceState state)
    {
        SetStatus(state.Status, state.StatusDetail);
        SetSandbox(state.SandboxId);
        SetContainer(state.ContainerId, state.StartedAt);
        SandboxAttempt = state.SandboxAttempt;
        RestartCount = state.RestartCount;
        ConsecutiveRestarts = state.ConsecutiveRestarts;
        ExitCode = state.ExitCode;
        RestartPending = state.RestartPending;
        StoppedByNode = state.StoppedByNode;
        HostPort = state.HostPort;
    }
}
