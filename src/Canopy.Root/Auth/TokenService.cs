using System.Security.Claims;
using Canopy.Contracts.Api;
using Canopy.Root.Store;
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

    public string CreateAccessToken(UserRecord user) => Create(user, AccessType, options.AccessTokenLifetime);

    public string CreateRefreshToken(UserRecord user) => Create(user, RefreshType, options.RefreshTokenLifetime);

    /// <summary>The user name in a valid refresh token, or the reason it is not one.</summary>
    public async Task<(string? UserName, string? Error)> ValidateRefreshTokenAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, ValidationParameters);
        if (!result.IsValid)
        {
            return (null, result.Exception is SecurityTokenExpiredException
                ? "The refresh token expired; log in again (POST /api/auth/login)."
                : "The refresh token is not valid; log in again (POST /api/auth/login).");
        }

        return result.ClaimsIdentity.FindFirst(TypeClaim)?.Value == RefreshType
            ? (result.ClaimsIdentity.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, null)
            : (null, "That is an access token; POST /api/auth/refresh takes the refresh_token from the login answer.");
    }

    private string Create(UserRecord user, string type, TimeSpan lifetime)
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
            Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, user.Name), new Claim(NameClaim, user.Name)]),
            Claims = new Dictionary<string, object>
            {
                [RolesClaim] = user.Roles.ToArray(),
                [OrganizationClaim] = Organizations.DefaultId,
                [TypeClaim] = type,
            },
        });
    }
}
