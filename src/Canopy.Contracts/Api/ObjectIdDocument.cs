using System.Text.Json.Serialization;

namespace Canopy.Contracts.Api;

/// <summary>
/// <c>{"$oid": "..."}</c>: how Oakestra's MongoDB documents carry their <c>_id</c>, which its dashboard reads
/// (<c>app._id.$oid</c>). Canopy's ids already have the ObjectId shape, 24 hex characters.
/// </summary>
public sealed record ObjectIdDocument([property: JsonPropertyName("$oid")] string Oid);
