using System.Text.Json.Serialization;
using Canopy.Core.States;

namespace Canopy.Contracts.Api;

/// <summary>One entry of <c>GET /api/v1/instances</c>: an instance together with the service it belongs to.</summary>
public sealed record ServiceInstanceDocument
{
    public required string ServiceId { get; init; }
    [JsonPropertyName("applicationID")] public string ApplicationId { get; init; } = "";
    public string ServiceName { get; init; } = "";
    public string JobName { get; init; } = "";
    public int InstanceNumber { get; init; }
    public InstanceStatus Status { get; init; }
    public string? StatusDetail { get; init; }
    public string? ClusterId { get; init; }
    public string? ClusterName { get; init; }
    public string? WorkerId { get; init; }
    public string? NodeName { get; init; }
    public string? HostIp { get; init; }
    public string? HostPort { get; init; }
    public double CpuPercent { get; init; }

    /// <summary>MB in use.</summary>
    public double Memory { get; init; }

    public double MemoryPercent { get; init; }
    public int RestartCount { get; init; }
    public int? ExitCode { get; init; }
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Unix seconds of the last change.</summary>
    public double LastModifiedTimestamp { get; init; }
}
