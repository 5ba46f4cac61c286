using System.Text.Json.Serialization;

namespace Canopy.Contracts.Api;

/// <summary><c>POST /api/auth/login</c>; <see cref="Organization"/> (a name or id) chooses which of the user's organizations the token is for.</summary>
public sealed record LoginRequest(string Username, string Password)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Organization { get; init; }
}

public sealed record LoginResponse(string Token, string RefreshToken);

public sealed record RefreshResponse(string Token);

public sealed record RegisterUserRequest(string Name, string Password, IReadOnlyList<string>? Roles, string? Email)
{
    /// <summary>Name or id of the organization the user joins with <see cref="Roles"/>; the caller's own when not given.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Organization { get; init; }
}

public sealed record UserDocument(string Name, IReadOnlyList<string> Roles, string? Email, DateTimeOffset CreatedAt)
{
    /// <summary>The user's id the way Oakestra's dashboard reads it (<c>_id.$oid</c>), e.g. for <c>GET /api/applications/{userid}</c>.</summary>
    [JsonPropertyName("_id")] public ObjectIdDocument? Id { get; init; }

    /// <summary>The user's organizations with their roles there, as far as the caller may see (Admin: all; others: their own).</summary>
    public IReadOnlyList<UserOrganizationDocument>? Organizations { get; init; }
}

/// <summary>One organization of a user and the user's roles in it.</summary>
public sealed record UserOrganizationDocument(string OrganizationId, string Name, IReadOnlyList<string> Roles);

/// <summary><c>GET /api/permission/{username}</c></summary>
public sealed record PermissionDocument(IReadOnlyList<string> Roles);

/// <summary><c>POST /api/user/{username}</c>: a user changes their own password (Oakestra's field names).</summary>
public sealed record ChangePasswordRequest(
    [property: JsonPropertyName("oldPassword")] string? OldPassword,
    [property: JsonPropertyName("newPassword")] string? NewPassword);

/// <summary>Oakestra's roles.</summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string OrganizationAdmin = "Organization_Admin";
    public const string ApplicationProvider = "Application_Provider";
    public const string InfrastructureProvider = "Infrastructure_Provider";

    public static readonly IReadOnlyList<string> All = [Admin, OrganizationAdmin, ApplicationProvider, InfrastructureProvider];
}
