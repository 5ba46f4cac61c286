using System.Text.Json;
using System.Text.Json.Serialization;

namespace Canopy.Contracts.Mqtt;

/// <summary>A node's dynamic resources, published every 2 s; also its heartbeat.</summary>
public sealed record NodeInformation
{
    public double CpuPercent { get; init; }
    public double Vcpus { get; init; }

    /// <summary>Available memory, MB (Oakestra's meaning).</summary>
    public long Memory { get; init; }

    /// <summary>Total memory, MB.</summary>
    public long MemoryTotal { get; init; }

    public double MemoryPercent { get; init; }
    public string Architecture { get; init; } = "";
    public IReadOnlyList<string> Virtualization { get; init; } = [];

    /// <summary>The runtimes this node has but cannot use now, each with why (Canopy addition); null when none.</summary>
    public IReadOnlyDictionary<string, string>? UnavailableRuntimes { get; init; }
    public string? Ip { get; init; }
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Non-canonical resources configured on the node (e.g. <c>gpu_model</c>).</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }
}
