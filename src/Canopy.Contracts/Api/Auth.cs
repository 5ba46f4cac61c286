namespace Canopy.Contracts.Api;

public sealed record LoginRequest(string Username, string Password);

public sealed record LoginResponse(string Token, string RefreshToken);

public sealed record RefreshResponse(string Token);

public sealed record RegisterUserRequest(string Name, string Password, IReadOnlyList<string>? Roles, string? Email);

public sealed record UserDocument(string Name, IReadOnlyList<string> Roles, string? Email, DateTimeOffset CreatedAt);

/// <summary>Oakestra's roles.</summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string OrganizationAdmin = "Organization_Admin";
    public const string ApplicationProvider = "Application_Provider";
    public const string InfrastructureProvider = "Infrastructure_Provider";

    public static readonly IReadOnlyList<string> All = [Admin, OrganizationAdmin, ApplicationProvider, InfrastructureProvider];
}
