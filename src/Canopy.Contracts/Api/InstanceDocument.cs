using System.Text.Json.Serialization;
using Canopy.Core.States;

namespace Canopy.Contracts.Api;

/// <summary>One instance in a service's <c>instance_list</c>, Oakestra's field names plus Canopy's.</summary>
public record InstanceDocument
{
    public int InstanceNumber { get; init; }
    public InstanceStatus Status { get; init; }
    public string? StatusDetail { get; init; }
    public string? ClusterId { get; init; }
    public string? ClusterName { get; init; }

    /// <summary>Node id.</summary>
    public string? WorkerId { get; init; }

    public string? NodeName { get; init; }
    public string? HostIp { get; init; }
    public string? HostPort { get; init; }

    [JsonPropertyName("publicip")] public string? PublicIp { get; init; }
    public double CpuPercent { get; init; }

    /// <summary>MB in use.</summary>
    public double Memory { get; init; }

    public double MemoryPercent { get; init; }
    public int RestartCount { get; init; }
    public int? ExitCode { get; init; }
    public int? Pid { get; init; }
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Unix seconds of the last change (Oakestra's field).</summary>
    public double LastModifiedTimestamp { get; init; }
}
