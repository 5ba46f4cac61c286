using Canopy.Core.States;

namespace Canopy.NodeEngine.Runtimes;

/// <summary>
/// What a node engine restart needs to know about any instance, whatever runs it; each runtime's record adds how it
/// finds the workload again (<c>state.json</c>, written as that record).
/// </summary>
internal abstract record InstanceState
{
    public InstanceStatus Status { get; init; }
    public string? StatusDetail { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public int RestartCount { get; init; }
    public int ConsecutiveRestarts { get; init; }
    public int? ExitCode { get; init; }

    /// <summary>It exited and waits for its back-off to start again.</summary>
    public bool RestartPending { get; init; }

    /// <summary>The node engine stopped it when shutting down: start it again at the next start whatever its policy.</summary>
    public bool StoppedByNode { get; init; }

    public string? HostPort { get; init; }
}
