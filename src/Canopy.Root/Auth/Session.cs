namespace Canopy.Root.Auth;

/// <summary>Who a token is for: the user, the organization the login chose, and the user's roles there.</summary>
internal sealed record Session(string UserName, string OrganizationId, string OrganizationName, IReadOnlyList<string> Roles);

/// <summary>What a refresh token says: whose, for which organization, its id (for revocation) and when it expires.</summary>
internal sealed record RefreshClaims(string UserName, string OrganizationId, string TokenId, DateTime ExpiresAt);
