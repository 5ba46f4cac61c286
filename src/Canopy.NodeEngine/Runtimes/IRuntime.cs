using Canopy.Contracts;
using Canopy.NodeEngine.Instances;

namespace Canopy.NodeEngine.Runtimes;

/// <summary>
/// One way of running instances (<c>exec</c>: native processes; <c>container</c>: OCI images through containerd's CRI).
/// A runtime owns its instances' whole life: it starts them, watches them, applies the restart policy and says so
/// through <see cref="StatusChanged"/>.
/// Disposing it stops the watching only: the instances keep running and a new runtime over the same data adopts them.
/// </summary>
public interface IRuntime : IAsyncDisposable
{
    /// <summary>The <c>virtualization</c> name the node reports and SLAs ask for (<see cref="Core.Descriptors.Virtualizations"/>).</summary>
    string Name { get; }

    /// <summary>False when this node cannot run it (no containerd socket...); the node then does not report it.</summary>
    bool IsAvailable { get; }

    /// <summary>Why <see cref="IsAvailable"/> is false, in words for the FAILED detail of a deploy it cannot take; null when available.</summary>
    string? UnavailableReason => IsAvailable ? null : "not available on this node";

    /// <summary>Every status change (and every re-report) of an instance, raised from the runtime's own tasks; handlers must not block.</summary>
    event Action<InstanceReport>? StatusChanged;

    /// <summary>Loads the instances left by a previous node engine: adopts those still running, starts the others again as their policy allows.</summary>
    Task RecoverAsync(CancellationToken ct);

    /// <summary>Makes instance <paramref name="instanceNumber"/> of <paramref name="spec"/> run; an instance that already runs is only re-reported.</summary>
    Task<InstanceReport> DeployAsync(ServiceSpec spec, int instanceNumber, CancellationToken ct);

    /// <summary>Stops an instance but keeps what is needed to start it again at the next <see cref="RecoverAsync"/> (node shutdown).</summary>
    Task StopAsync(InstanceKey key, CancellationToken ct);

    /// <summary>Stops an instance and deletes everything of it (undeploy); reports <c>UNDEPLOYED</c>, also for an unknown instance.</summary>
    Task<InstanceReport> RemoveAsync(InstanceKey key, CancellationToken ct);

    /// <summary>The instance's current state, without metrics; null when this runtime does not hold it.</summary>
    InstanceReport? Find(InstanceKey key);

    /// <summary>Appends the state of every instance it holds to <paramref name="reports"/> (a list the caller reuses).</summary>
    void CollectReports(List<InstanceReport> reports);

    /// <summary>CPU and memory use since the previous call for the same instance; null when unknown.</summary>
    ValueTask<InstanceStats?> StatsAsync(InstanceKey key, CancellationToken ct);

    /// <summary>The last <paramref name="tail"/> lines of the instance's output; null when this runtime does not hold it.</summary>
    Task<string?> ReadLogsAsync(InstanceKey key, int tail, CancellationToken ct);
}

/// <summary>CPU in percent of the whole node (all cores = 100), memory in MB.</summary>
public readonly record struct InstanceStats(double CpuPercent, double MemoryMb);
