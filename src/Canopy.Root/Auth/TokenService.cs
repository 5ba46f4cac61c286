using System.Security.Claims;
using Canopy.Contracts.Api;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Canopy.Root.Auth;

/// <summary>
/// Issues and checks the root's JWTs (ES256 with <see cref="UserTokenSigningKey"/>, kept in the store so tokens survive restarts;
/// clusters check them with its public half). Access tokens carry the user (<c>sub</c>), roles and organization, as
/// Oakestra's do; refresh tokens carry <c>"typ":"refresh"</c> and are good only at <c>POST /api/auth/refresh</c> (a cluster
/// refuses them too).
/// </summary>
internal sealed class TokenService(UserTokenSigningKey signingKey, RootOptions options, TimeProvider time)
{
    public const string Issuer = UserTokenClaims.Issuer;
    public const string Audience = UserTokenClaims.Audience;
    public const string NameClaim = UserTokenClaims.Name;
    public const string RolesClaim = UserTokenClaims.Roles;
    public const string OrganizationClaim = UserTokenClaims.Organization;
    public const string TypeClaim = UserTokenClaims.Type;
    public const string RefreshType = UserTokenClaims.RefreshType;
    public const string AccessType = UserTokenClaims.AccessType;
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(5);

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public TokenValidationParameters ValidationParameters { get; } = new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = signingKey.SecurityKey,
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        ClockSkew = ClockSkew,
        NameClaimType = NameClaim,
        RoleClaimType = RolesClaim,
    };

    public string CreateAccessToken(Session session) => Create(session, AccessType, options.AccessTokenLifetime);

    public string CreateRefreshToken(Session session) => Create(session, RefreshType, options.RefreshTokenLifetime);

    /// <summary>A valid refresh token's user, organization, id and expiry, or the reason it is not one (revocation is the caller's check).</summary>
    public async Task<(RefreshClaims? Claims, string? Error)> ValidateRefreshTokenAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, ValidationParameters);
        if (!result.IsValid)
        {
            return (null, result.Exception is SecurityTokenExpiredException
                ? "The refresh token expired; log in again (POST /api/auth/login)."
                : "The refresh token is not valid; log in again (POST /api/auth/login).");
        }

        var identity = result.ClaimsIdentity;
        if (identity.FindFirst(TypeClaim)?.Value != RefreshType)
        {
            return (null, "That is an access token; POST /api/auth/refresh takes the refresh_token from the login answer.");
        }

        var name = identity.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
        var id = identity.FindFirst(JwtRegisteredClaimNames.Jti)?.Value;
        var organization = identity.FindFirst(OrganizationClaim)?.Value;
        return name is null || id is null || organization is null
            ? (null, "The refresh token is from an older Canopy; log in again (POST /api/auth/login).")
            : (new RefreshClaims(name, organization, id, result.SecurityToken.ValidTo), null);
    }

    private string Create(Session session, string type, TimeSpan lifetime)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(signingKey.SecurityKey, SecurityAlgorithms.EcdsaSha256),
            Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, session.UserName), new Claim(NameClaim, session.UserName)]),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                [RolesClaim] = session.Roles.ToArray(),
                [OrganizationClaim] = session.OrganizationId,
                [UserTokenClaims.OrganizationName] = session.OrganizationName,
                [TypeClaim] = type,
            },
        });
    }
}
