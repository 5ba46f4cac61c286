using System.Text.Json.Serialization;

namespace Canopy.Contracts.Api;

public sealed record ApplicationDocument
{
    [JsonPropertyName("applicationID")] public required string ApplicationId { get; init; }

    /// <summary>The id again, the way Oakestra's dashboard reads it.</summary>
    [JsonPropertyName("_id")] public ObjectIdDocument MongoId => new(ApplicationId);

    public string ApplicationName { get; init; } = "";
    public string ApplicationNamespace { get; init; } = "";
    public string? ApplicationDesc { get; init; }
    [JsonPropertyName("userId")] public string? UserId { get; init; }

    /// <summary>Service ids.</summary>
    public IReadOnlyList<string> Microservices { get; init; } = [];

    /// <summary>What the root noticed while accepting the descriptor: fields accepted but not honoured, a runtime Canopy does not run.</summary>
    public IReadOnlyList<string>? Warnings { get; init; }
}
