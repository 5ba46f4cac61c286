using System.Text.Json.Serialization;

namespace Canopy.Contracts.Api;

/// <summary>An organization and its members' roles (Oakestra's shape).</summary>
public sealed record OrganizationDocument(
    [property: JsonPropertyName("_id")] ObjectIdDocument Id, string Name, IReadOnlyList<OrganizationMember> Member)
{
    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>Oakestra names a member by <see cref="UserId"/>; Canopy adds the name.</summary>
public sealed record OrganizationMember(string UserId, IReadOnlyList<string> Roles)
{
    public string? UserName { get; init; }
}

/// <summary>
/// <c>POST /api/organization/</c> and <c>PUT /api/organization/{id}</c>: a name and the members (each by <c>user_id</c>, Oakestra's,
/// or <c>user_name</c>).
/// </summary>
public sealed record OrganizationRequest(string? Name, IReadOnlyList<OrganizationMemberRequest>? Member);

public sealed record OrganizationMemberRequest(string? UserId, string? UserName, IReadOnlyList<string>? Roles);

/// <summary><c>PUT /api/organization/{id}/members/{user}</c>: the user's roles there.</summary>
public sealed record MemberRolesRequest(IReadOnlyList<string>? Roles);
