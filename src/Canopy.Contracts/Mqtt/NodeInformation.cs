using System.Text.Json;
using System.Text.Json.Serialization;

namespace Canopy.Contracts.Mqtt;

/// <summary>A node's dynamic resources, published on a material change, at least every few minutes and after every (re)connect (liveness is the MQTT keep-alive).</summary>
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

    /// <summary>
    /// The runtimes whose privileged workloads (<c>privileged: true</c>) this node's operator allows (Canopy addition: exec as root with
    /// <c>--exec-as-root</c>, privileged containers with <c>--allow-privileged</c>); null when none.
    /// </summary>
    public IReadOnlyList<string>? PrivilegedRuntimes { get; init; }
    public string? Ip { get; init; }

    /// <summary>The node's VXLAN endpoint (Canopy addition); null from a node without an overlay.</summary>
    public Net.NodeOverlay? Overlay { get; init; }

    /// <summary>
    /// Round-trip times in milliseconds from this node to its overlay peers, by node id, as its net manager last measured them
    /// (Canopy addition; <c>closest_ip</c> uses them on the node, the API shows them). Null when it measured none.
    /// </summary>
    public IReadOnlyDictionary<string, double>? Latency { get; init; }
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Non-canonical resources configured on the node (e.g. <c>gpu_model</c>).</summary>
    // A setter, not init: source-generated metadata cannot bind extension data through the constructor.
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
