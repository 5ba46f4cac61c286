using Canopy.Core.States;

namespace Canopy.Root.Store;

/// <summary>One instance of a service as the root knows it: where it was placed and what its cluster last reported.</summary>
public sealed record InstanceRecord
{
    public required string ServiceId { get; init; }
    public int InstanceNumber { get; init; }
    public InstanceStatus Status { get; init; }
    public string? StatusDetail { get; init; }

    /// <summary>The cluster the root placed it on; null while unplaced.</summary>
    public string? ClusterId { get; init; }

    public string? NodeId { get; init; }
    public string? NodeName { get; init; }
    public string? HostIp { get; init; }
    public string? HostPort { get; init; }

    /// <summary>The instance's own address as its node reported it (a container's IP, an exec instance's node IP).</summary>
    public string? InstanceIp { get; init; }

    public double CpuPercent { get; init; }

    /// <summary>MB in use.</summary>
    public double Memory { get; init; }

    public double MemoryPercent { get; init; }
    public int RestartCount { get; init; }
    public int? ExitCode { get; init; }
    public int? Pid { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Being removed: the record goes when its cluster confirms UNDEPLOYED.</summary>
    public bool Deleting { get; init; }
}
