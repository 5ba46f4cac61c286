using System.Text.Json;
using System.Text.Json.Serialization;

namespace Canopy.Core.Descriptors;

/// <summary>An SLA v2.0 deployment descriptor, as Oakestra defines it. Unknown fields are kept in <see cref="Extra"/>.</summary>
public sealed class SlaDocument
{
    [JsonPropertyName("sla_version")] public string SlaVersion { get; set; } = "";
    [JsonPropertyName("customerID")] public string CustomerId { get; set; } = "";
    [JsonPropertyName("applications")] public List<SlaApplication> Applications { get; set; } = [];
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
