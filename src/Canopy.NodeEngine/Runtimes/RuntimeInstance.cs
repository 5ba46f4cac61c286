using Canopy.Contracts;
using Canopy.Core.States;
using Canopy.NodeEngine.Instances;

namespace Canopy.NodeEngine.Runtimes;

/// <summary>
/// One instance in memory, whatever runs it. Changes happen under <see cref="Gate"/> (deploy, exit handling, restart,
/// stop, removal never interleave); <see cref="ToReport"/> may be called at any time and reads a consistent copy under
/// <see cref="Sync"/>, which a runtime's own fields of the run share.
/// </summary>
internal abstract class RuntimeInstance<TState>(InstanceKey key, InstancePaths paths, ServiceSpec spec)
    where TState : InstanceState
{
    protected Lock Sync { get; } = new();

    public InstanceKey Key { get; } = key;
    public InstancePaths Paths { get; } = paths;
    public ServiceSpec Spec { get; set; } = spec;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Cancelled when the instance is stopped, removed, redeployed or the runtime disposed: ends its supervision.</summary>
    public CancellationTokenSource Life { get; private set; } = new();

    /// <summary>Waits for or handles an exit, applies the restart policy, restarts. Completed while nothing is pending.</summary>
    public Task Supervisor { get; set; } = Task.CompletedTask;

    /// <summary>Set once removed from the runtime: a deploy that waited for the gate must take a fresh object.</summary>
    public bool Removed { get; set; }

    public InstanceStatus Status { get; private set; } = InstanceStatus.NodeScheduled;
    public string? Detail { get; private set; }
    public DateTimeOffset? StartedAt { get; protected set; }
    public int RestartCount { get; set; }
    public int ConsecutiveRestarts { get; set; }
    public int? ExitCode { get; set; }
    public bool RestartPending { get; set; }
    public bool StoppedByNode { get; set; }
    public string? HostPort { get; set; }

    /// <summary>Running or about to: what a node shutdown must remember to start again.</summary>
    public bool IsActive => Status is InstanceStatus.Running or InstanceStatus.Creating || RestartPending;

    /// <summary>Finished for good (until redeployed): nothing to adopt or restart.</summary>
    public bool HasEnded => Status is InstanceStatus.Completed or InstanceStatus.Failed || (Status == InstanceStatus.Dead && !RestartPending);

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

    /// <summary>The pid the cluster sees, for a runtime whose workload has one of its own.</summary>
    protected virtual int? ReportedPid => null;

    /// <summary>The instance's own address (a container's pod IP, an exec instance's node IP); null while it has none.</summary>
    protected virtual string? ReportedInstanceIp => null;

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
        lock (Sync)
        {
            Status = status;
            Detail = detail;
        }
    }

    /// <summary>Forgets what the last run held in the runtime (process; container, sandbox and ports): it is gone or never was.</summary>
    public abstract void ClearRun();

    public InstanceReport ToReport()
    {
        lock (Sync)
        {
            return new InstanceReport
            {
                ServiceId = Key.ServiceId,
                JobName = Spec.JobName,
                InstanceNumber = Key.InstanceNumber,
                Status = Status,
                StatusDetail = Detail,
                HostPort = HostPort,
                InstanceIp = ReportedInstanceIp,
                RestartCount = RestartCount,
                ExitCode = ExitCode,
                Pid = ReportedPid,
                StartedAt = StartedAt,
                Timestamp = DateTimeOffset.UtcNow,
            };
        }
    }

    public abstract TState ToState();

    /// <summary>Takes over a previous node engine's record; <see cref="StartedAt"/> goes with the runtime's own run fields.</summary>
    public virtual void Load(TState state)
    {
        SetStatus(state.Status, state.StatusDetail);
        RestartCount = state.RestartCount;
        ConsecutiveRestarts = state.ConsecutiveRestarts;
        ExitCode = state.ExitCode;
        RestartPending = state.RestartPending;
        StoppedByNode = state.StoppedByNode;
        HostPort = state.HostPort;
    }

    /// <summary>
    /// <paramref name="state"/> (the runtime's fields) completed with the shared ones; called under <see cref="Sync"/>.
    /// <c>with</c> copies through the record's virtual clone, so the runtime's record type and fields survive.
    /// </summary>
    protected TState WithSharedFields(TState state) =>
        (TState)((InstanceState)state with
        {
            Status = Status,
            StatusDetail = Detail,
            StartedAt = StartedAt,
            RestartCount = RestartCount,
            ConsecutiveRestarts = ConsecutiveRestarts,
            ExitCode = ExitCode,
            RestartPending = RestartPending,
            StoppedByNode = StoppedByNode,
            HostPort = HostPort,
        });
}
