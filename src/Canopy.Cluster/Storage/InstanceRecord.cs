using Canopy.Core.States;

namespace Canopy.Cluster.Storage;

/// <summary>One instance as the cluster tracks it: where it is placed, its status and its last metrics.</summary>
internal sealed record InstanceRecord
{
    public required string ServiceId { get; init; }
    public int InstanceNumber { get; init; }
    public string? NodeId { get; init; }
    public string? NodeName { get; init; }
    public InstanceStatus Status { get; init; }
    public string? Detail { get; init; }
    public double? CpuPercent { get; init; }
    public double? Memory { get; init; }
    public double? MemoryPercent { get; init; }
    public int RestartCount { get; init; }
    public int? ExitCode { get; init; }
    public int? Pid { get; init; }
    public string? HostIp { get; init; }
    public string? HostPort { get; init; }

    /// <summary>The instance's own address as its node reports it (a container's IP in the node's subnet; an exec instance's node IP).</summary>
    public string? InstanceIp { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The root asked for its removal; the record goes when its node confirms (or cannot).</summary>
    public bool Deleting { get; init; }

    public override string ToString() => $"{ServiceId}.{InstanceNumber}";
}
