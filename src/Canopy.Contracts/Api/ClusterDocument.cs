using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Canopy.Contracts.Api;

/// <summary>
/// A cluster with its aggregated resources: Canopy's fields, and Oakestra's top-level ones with Oakestra's types (its
/// <c>oak</c> CLI decodes them into typed structs: counts are integers, percentages numbers, lists of strings).
/// </summary>
public sealed record ClusterDocument
{
    [JsonPropertyName("_id")] public required string Id { get; init; }
    public required string ClusterName { get; init; }

    /// <summary>"lat,lon"; empty when unknown.</summary>
    public string ClusterLocation { get; init; } = "";

    public bool Active { get; init; }
    public DateTimeOffset? LastSeen { get; init; }

    /// <summary>The cluster's clock minus the root's, while it is linked; null when unknown.</summary>
    public double? ClockSkewSeconds { get; init; }

    /// <summary>Aggregate of its workers: vcpus, memory (available MB), memory_total, cpu_percent, memory_percent, virtualization[], architecture[], active_nodes, non-canonical keys.</summary>
    public JsonObject Resources { get; init; } = [];

    // Oakestra's resource abstractor fields.
    public string CandidateName { get; init; } = "";

    /// <summary>Host of the cluster's API, from the address it registered with; empty when unknown.</summary>
    public string Ip { get; init; } = "";

    public int Port { get; init; }
    public int Vcpus { get; init; }

    /// <summary>Available MB.</summary>
    public long Memory { get; init; }

    public double CpuPercent { get; init; }
    public double MemoryPercent { get; init; }
    public IReadOnlyList<string> Virtualization { get; init; } = [];
    public IReadOnlyList<string> SupportedAddons { get; init; } = [];
    public IReadOnlyList<string> CsiDrivers { get; init; } = [];

    /// <summary>Unix seconds of its last resources report; 0 when it never sent one.</summary>
    public double LastModifiedTimestamp { get; init; }

    // Oakestra's legacy names, for its dashboard and scripts.
    public double AggregatedCpuPercent { get; init; }
    public long MemoryInMb { get; init; }
    public int TotalCpuCores { get; init; }
    public int TotalGpuCores { get; init; }
    public int ActiveNodes { get; init; }
}
