using Canopy.Core.States;

namespace Canopy.NodeEngine.Runtimes.Container;

/// <summary>What a node engine restart needs to know about a container instance beyond containerd's own view; <c>state.json</c>.</summary>
internal sealed record ContainerInstanceState
{
    public InstanceStatus Status { get; init; }
    public string? StatusDetail { get; init; }
    public string? SandboxId { get; init; }
    public string? ContainerId { get; init; }

    /// <summary>Part of containerd's sandbox name: a new sandbox for the same instance takes the next one.</summary>
    public uint SandboxAttempt { get; init; }

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
