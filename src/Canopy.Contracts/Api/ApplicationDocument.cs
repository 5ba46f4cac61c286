using System.Text.Json.Serialization;

namespace Canopy.Contracts.Api;

public sealed record ApplicationDocument
{
    [JsonPropertyName("applicationID")] public required string ApplicationId { get; init; }
    public string ApplicationName { get; init; } = "";
    public string ApplicationNamespace { get; init; } = "";
    public string? ApplicationDesc { get; init; }
    [JsonPropertyName("userId")] public string? UserId { get; init; }

    /// <summary>Service ids.</summary>
    public IReadOnlyList<string> Microservices { get; init; } = [];

    /// <summary>What the root changed or noticed while accepting the descriptor (e.g. an rr_ip replaced from the pool).</summary>
    public IReadOnlyList<string>? Warnings { get; init; }
}
