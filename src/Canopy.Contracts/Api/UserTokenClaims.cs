namespace Canopy.Contracts.Api;

/// <summary>What the root puts in a user's JWT and every tier checks: issuer, audience and claim names.</summary>
public static class UserTokenClaims
{
    public const string Issuer = "canopy-root";
    public const string Audience = "canopy";
    public const string Name = "name";
    public const string Roles = "roles";

    /// <summary>Oakestra's claim naming the caller's organization (its id); its dashboard reads it.</summary>
    public const string Organization = "organization";

    /// <summary>The organization's name beside its id (a Canopy addition).</summary>
    public const string OrganizationName = "organization_name";
    public const string Type = "typ";
    public const string RefreshType = "refresh";
    public const string AccessType = "access";
}
