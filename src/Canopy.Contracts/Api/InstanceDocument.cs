using System.Text.Json.Serialization;
using Canopy.Core.States;

namespace Canopy.Contracts.Api;

/// <summary>
/// One instance in a service's <c>instance_list</c>: Oakestra's fields with Oakestra's types (its <c>oak</c> CLI decodes them
/// into typed structs: <c>host_port</c> a number, <c>cpu_percent</c> a string), plus Canopy's.
/// </summary>
public record InstanceDocument
{
    public int InstanceNumber { get; init; }
    public InstanceStatus Status { get; init; }
    public string? StatusDetail { get; init; }
    public string? ClusterId { get; init; }
    public string? ClusterName { get; init; }

    /// <summary>Its cluster's location ("lat,lon"); empty when unknown.</summary>
    public string ClusterLocation { get; init; } = "";

    /// <summary>Node id.</summary>
    public string? WorkerId { get; init; }

    public string? NodeName { get; init; }
    public string? HostIp { get; init; }

    /// <summary>The instance's own address (Oakestra's field): a container's IP in its node's subnet, an exec instance's node IP.</summary>
    public string? InstanceIp { get; init; }

    /// <summary>The host port its first port mapping publishes.</summary>
    public int? HostPort { get; init; }

    [JsonPropertyName("publicip")] public string? PublicIp { get; init; }

    /// <summary>CPU use in percent, as text ("12.5"), as Oakestra's node engine reports it.</summary>
    public string CpuPercent { get; init; } = "0";

    /// <summary>Memory use in percent of its limit (or of the node's memory), as text.</summary>
    public string MemoryPercent { get; init; } = "0";

    /// <summary>Disk use in bytes, as text; Canopy does not measure it, so "0".</summary>
    public string Disk { get; init; } = "0";

    /// <summary>CPU use in percent, a number.</summary>
    public double Cpu { get; init; }

    /// <summary>MB in use.</summary>
    public double Memory { get; init; }

    /// <summary>Recent CPU use, oldest first, as long as the root has been up.</summary>
    public IReadOnlyList<MetricPoint> CpuHistory { get; init; } = [];

    /// <summary>Recent memory use in percent, oldest first.</summary>
    public IReadOnlyList<MetricPoint> MemoryHistory { get; init; } = [];

    /// <summary>The last lines of its output, as its node last gave them to the root; empty when not fetched.</summary>
    public string Logs { get; init; } = "";

    public int RestartCount { get; init; }
    public int? ExitCode { get; init; }
    public int? Pid { get; init; }
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Unix seconds of the last change (Oakestra's field).</summary>
    public double LastModifiedTimestamp { get; init; }
}

/// <summary>One sample of a history: Oakestra's <c>{value, timestamp}</c>, both text (the timestamp ISO 8601, UTC).</summary>
public sealed record MetricPoint(string Value, string Timestamp);
