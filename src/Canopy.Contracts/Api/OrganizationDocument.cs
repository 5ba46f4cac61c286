using System.Text.Json.Serialization;

namespace Canopy.Contracts.Api;

/// <summary>An organization and its members' roles (Oakestra's shape); Canopy has one, <c>root</c>, holding every user.</summary>
public sealed record OrganizationDocument(
    [property: JsonPropertyName("_id")] ObjectIdDocument Id, string Name, IReadOnlyList<OrganizationMember> Member);

public sealed record OrganizationMember(string UserId, IReadOnlyList<string> Roles);
