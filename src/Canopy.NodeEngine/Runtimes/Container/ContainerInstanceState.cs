namespace Canopy.NodeEngine.Runtimes.Container;

/// <summary>What a node engine restart needs to know about a container instance beyond containerd's own view; <c>state.json</c>.</summary>
internal sealed record ContainerInstanceState : InstanceState
{
    public string? SandboxId { get; init; }
    public string? ContainerId { get; init; }

    /// <summary>The sandbox's address (CNI's), reported as the instance's IP; kept so that an adopted instance reports it at once.</summary>
    public string? SandboxIp { get; init; }

    /// <summary>Part of containerd's sandbox name: a new sandbox for the same instance takes the next one.</summary>
    public uint SandboxAttempt { get; init; }
}
