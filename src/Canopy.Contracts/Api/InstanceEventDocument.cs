using Canopy.Core.States;

namespace Canopy.Contracts.Api;

/// <summary>One step of an instance's story: "scheduled on cluster c1", "RUNNING", "DEAD: exited with code 137; restarting in 0.5 s".</summary>
public sealed record InstanceEventDocument
{
    public DateTimeOffset Time { get; init; }
    public InstanceStatus Status { get; init; }
    public string Detail { get; init; } = "";

    /// <summary>Cluster name at the time, when it had one.</summary>
    public string? Cluster { get; init; }

    /// <summary>Node name at the time, when it had one.</summary>
    public string? Node { get; init; }
}
