using System.Text.Json.Serialization;

namespace Canopy.Core.Descriptors;

/// <summary>
/// Canopy addition: a secret an instance receives, named by the secret's name at the root. Exactly one of
/// <see cref="Env"/> (an environment variable) or <see cref="File"/> (a read-only file at that absolute path);
/// <see cref="Key"/> picks one value of a secret with several (optional when it has one).
/// </summary>
public sealed class SlaSecretReference
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("key")] public string? Key { get; set; }
    [JsonPropertyName("env")] public string? Env { get; set; }
    [JsonPropertyName("file")] public string? File { get; set; }
}
