using System.Text.Json;
using System.Text.Json.Serialization;

namespace Canopy.Core.Descriptors;

public sealed class SlaApplication
{
    [JsonPropertyName("applicationID")] public string? ApplicationId { get; set; }
    [JsonPropertyName("application_name")] public string ApplicationName { get; set; } = "";
    [JsonPropertyName("application_namespace")] public string ApplicationNamespace { get; set; } = "";
    [JsonPropertyName("application_desc")] public string? ApplicationDesc { get; set; }
    [JsonPropertyName("microservices")] public List<SlaMicroservice> Microservices { get; set; } = [];
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
