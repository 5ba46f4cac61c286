using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Canopy.Contracts.Api;

/// <summary>A cluster with its aggregated resources, with Oakestra's legacy field names beside Canopy's.</summary>
public sealed record ClusterDocument
{
    [JsonPropertyName("_id")] public required string Id { get; init; }
    public required string ClusterName { get; init; }
    public string? ClusterLocation { get; init; }
    public bool Active { get; init; }
    public DateTimeOffset? LastSeen { get; init; }

    /// <summary>The cluster's clock minus the root's, while it is linked; null when unknown.</summary>
    public double? ClockSkewSeconds { get; init; }

    /// <summary>Aggregate of its workers: vcpus, memory (available MB), memory_total, cpu_percent, memory_percent, virtualization[], architecture[], active_nodes, non-canonical keys.</summary>
    public JsonObject Resources { get; init; } = [];

    // Oakestra's legacy names, for its dashboard and scripts.
    public double AggregatedCpuPercent { get; init; }
    public long MemoryInMb { get; init; }
    public double TotalCpuCores { get; init; }
    public int ActiveNodes { get; init; }
}
