using System.Text.Json;
using System.Text.Json.Serialization;

namespace Canopy.Core.Descriptors;

public sealed class SlaAddresses
{
    [JsonPropertyName("rr_ip")] public string? RrIp { get; set; }
    [JsonPropertyName("rr_ip_v6")] public string? RrIpV6 { get; set; }
    [JsonPropertyName("closest_ip")] public string? ClosestIp { get; set; }
    [JsonPropertyName("closest_ip_v6")] public string? ClosestIpV6 { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
