using System.Security.Claims;
using Canopy.Cluster.Storage;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Registration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Canopy.Cluster.Auth;

/// <summary>
/// Checks the tokens the root issued to its users, offline: with the root's public key and the root's clock offset, both from the
/// last registration (the key is kept in the store, so a restarted cluster checks tokens before it reaches the root again).
/// </summary>
internal sealed class RootUserTokens(IClusterStore store, TimeProvider time)
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(5);
    private readonly JsonWebTokenHandler _handler = new();
    private Task<Known?>? _known;

    /// <summary>Takes the key and clock of a registration (<paramref name="rootClockOffset"/> = root time minus this cluster's).</summary>
    public async Task SetAsync(UserTokenKey key, TimeSpan rootClockOffset, CancellationToken ct)
    {
        await store.SetSettingAsync(SettingKeys.RootUserTokenKey, CanopyJson.Serialize(key), ct);
        _known = Task.FromResult<Known?>(new Known(SecurityKey(key), rootClockOffset));
    }

    /// <summary>The identity in a valid access token of the root, or why it is not one.</summary>
    public async Task<(ClaimsIdentity? Identity, string? Why)> ValidateAsync(string token)
    {
        var known = await (_known ??= LoadAsync());
        if (known is null)
        {
            return (null, "This cluster has not registered at its root yet, so it cannot check root tokens; use its admin token.");
        }

        var now = () => time.GetUtcNow().UtcDateTime + known.RootClockOffset;
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = UserTokenClaims.Issuer,
            ValidAudience = UserTokenClaims.Audience,
            IssuerSigningKey = known.Key,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            RequireExpirationTime = true,
            LifetimeValidator = (notBefore, expires, _, _) =>
                (notBefore is not { } nbf || nbf <= now() + ClockSkew) && expires is { } exp && exp >= now() - ClockSkew,
            NameClaimType = UserTokenClaims.Name,
            RoleClaimType = UserTokenClaims.Roles,
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
        {
            return (null, result.Exception switch
            {
                SecurityTokenInvalidLifetimeException => "The token expired (by the root's clock); get a new one from the root (POST /api/auth/refresh, or log in again).",
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
                    "The bearer token is neither this cluster's admin token nor signed by this cluster's root.",
                _ => "The bearer token is not valid (issuer, audience or format).",
            });
        }

        return result.ClaimsIdentity.FindFirst(UserTokenClaims.Type)?.Value == UserTokenClaims.RefreshType
            ? (null, "A refresh token cannot be used as an access token; exchange it at the root (POST /api/auth/refresh).")
            : (result.ClaimsIdentity, null);
    }

    private async Task<Known?> LoadAsync() =>
        await store.GetSettingAsync(SettingKeys.RootUserTokenKey, CancellationToken.None) is { } json && CanopyJson.Deserialize<UserTokenKey>(json) is { } key
            ? new Known(SecurityKey(key), TimeSpan.Zero)
            : null;

    private static ECDsaSecurityKey SecurityKey(UserTokenKey key)
    {
        var ecdsa = System.Security.Cryptography.ECDsa.Create(new System.Security.Cryptography.ECParameters
        {
            Curve = System.Security.Cryptography.ECCurve.NamedCurves.nistP256,
            Q = new System.Security.Cryptography.ECPoint { X = Base64UrlEncoder.DecodeBytes(key.X), Y = Base64UrlEncoder.DecodeBytes(key.Y) },
        });
        return new ECDsaSecurityKey(ecdsa) { KeyId = key.Kid };
    }

    private sealed record Known(SecurityKey Key, TimeSpan RootClockOffset);
}
