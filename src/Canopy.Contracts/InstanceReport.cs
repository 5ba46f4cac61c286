using Canopy.Core.States;

namespace Canopy.Contracts;

/// <summary>
/// The state of one instance as its node (and then its cluster) reports it: status, where it runs, how it does.
/// Travels node → cluster on MQTT and cluster → root on the link.
/// </summary>
public sealed record InstanceReport
{
    public required string ServiceId { get; init; }
    public string JobName { get; init; } = "";
    public int InstanceNumber { get; init; }
    public InstanceStatus Status { get; init; }
    public string? StatusDetail { get; init; }
    public string? NodeId { get; init; }
    public string? NodeName { get; init; }
    public string? HostIp { get; init; }
    public string? HostPort { get; init; }

    /// <summary>The instance's own address: a container's IP in its node's subnet, an exec instance's node IP (Canopy addition).</summary>
    public string? InstanceIp { get; init; }
    public int RestartCount { get; init; }
    public int? ExitCode { get; init; }
    public int? Pid { get; init; }
    public double? CpuPercent { get; init; }

    /// <summary>Memory in use, MB.</summary>
    public double? Memory { get; init; }

    public double? MemoryPercent { get; init; }
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the reporter saw this state (its own clock).</summary>
    public DateTimeOffset Timestamp { get; init; }
}
