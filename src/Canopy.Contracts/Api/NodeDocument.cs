using System.Text.Json;
using System.Text.Json.Serialization;

namespace Canopy.Contracts.Api;

/// <summary>A worker node as its cluster knows it.</summary>
public sealed record NodeDocument
{
    public required string Id { get; init; }

    /// <summary>Host name.</summary>
    public required string Name { get; init; }

    public string? ClusterId { get; init; }
    public string? ClusterName { get; init; }
    public string? Ip { get; init; }
    public bool Active { get; init; }
    public string Architecture { get; init; } = "";
    public double Vcpus { get; init; }
    public long MemoryTotal { get; init; }

    /// <summary>Available MB.</summary>
    public long Memory { get; init; }

    public double CpuPercent { get; init; }
    public double MemoryPercent { get; init; }
    public IReadOnlyList<string> Virtualization { get; init; } = [];

    /// <summary>Runtimes the node has but cannot use now, with why (e.g. no static busybox for containers); null when none.</summary>
    public IReadOnlyDictionary<string, string>? UnavailableRuntimes { get; init; }

    /// <summary>Runtimes that may run privileged workloads on this node (its operator's opt-in); null when none.</summary>
    public IReadOnlyList<string>? PrivilegedRuntimes { get; init; }
    public string? Location { get; init; }
    public DateTimeOffset? LastSeen { get; init; }

    /// <summary>The node's clock minus its cluster's, from its last heartbeat; null when unknown.</summary>
    public double? ClockSkewSeconds { get; init; }
    public int Instances { get; init; }

    /// <summary>The node's /26 (Canopy addition).</summary>
    public string? Subnet { get; init; }

    /// <summary>Round-trip times in milliseconds from this node to its overlay peers, by node id, as it last measured them (Canopy addition).</summary>
    public IReadOnlyDictionary<string, double>? LatencyMs { get; init; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }
}
