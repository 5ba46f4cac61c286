using System.Text.Json;
using System.Text.Json.Serialization;

namespace Canopy.Core.Descriptors;

/// <summary>
/// A placement constraint. <c>direct</c> (cluster and/or node names, <c>"n1;n2"</c>), <c>clusters</c> (allowed list),
/// <c>geo</c> (location "lat,lon" within threshold km), <c>latency</c>, <c>addons</c> (needs).
/// </summary>
public sealed class SlaConstraint
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("area")] public string? Area { get; set; }
    [JsonPropertyName("cluster")] public string? Cluster { get; set; }
    [JsonPropertyName("node")] public string? Node { get; set; }
    [JsonPropertyName("location")] public string? Location { get; set; }
    [JsonPropertyName("threshold")] public double? Threshold { get; set; }
    [JsonPropertyName("rigidness")] public double? Rigidness { get; set; }
    [JsonPropertyName("convergence_time")] public double? ConvergenceTime { get; set; }
    [JsonPropertyName("needs")] public List<string>? Needs { get; set; }
    [JsonPropertyName("allowed")] public List<string>? Allowed { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
