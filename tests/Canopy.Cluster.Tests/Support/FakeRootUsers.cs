using System.Security.Claims;
using System.Security.Cryptography;
using Canopy.Contracts.Api;
using Canopy.Contracts.Registration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Canopy.Cluster.Tests.Support;

/// <summary>The user tokens of a <see cref="FakeRoot"/>: an ES256 key whose public half it hands out at registration, and tokens signed with it.</summary>
internal sealed class FakeRootUsers : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsaSecurityKey _securityKey;

    public FakeRootUsers()
    {
        _securityKey = new ECDsaSecurityKey(_key) { KeyId = "fake-root-key" };
        var q = _key.ExportParameters(false).Q;
        PublicKey = new UserTokenKey("fake-root-key", SecurityAlgorithms.EcdsaSha256, "P-256", Base64UrlEncoder.Encode(q.X!), Base64UrlEncoder.Encode(q.Y!));
    }

    public UserTokenKey PublicKey { get; }

    /// <summary>A token as the root issues it, valid from <paramref name="issuedAt"/> (the root's clock) for 10 minutes.</summary>
    public string Issue(string user, IReadOnlyList<string> roles, DateTimeOffset issuedAt, string type = UserTokenClaims.AccessType) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = UserTokenClaims.Issuer,
            Audience = UserTokenClaims.Audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = issuedAt.UtcDateTime.AddMinutes(10),
            SigningCredentials = new SigningCredentials(_securityKey, SecurityAlgorithms.EcdsaSha256),
            Subject = new ClaimsIdentity([new Claim("sub", user), new Claim(UserTokenClaims.Name, user)]),
            Claims = new Dictionary<string, object> { [UserTokenClaims.Roles] = roles.ToArray(), [UserTokenClaims.Type] = type },
        });

    public void Dispose() => _key.Dispose();
}
