using System.Security.Cryptography;
using Canopy.Contracts.Registration;
using Canopy.Root.Store;
using Microsoft.IdentityModel.Tokens;

namespace Canopy.Root.Auth;

/// <summary>
/// The root's key for user tokens: ECDSA P-256 (ES256), made once and kept in its store (PKCS#8). Asymmetric so that clusters,
/// which get the public half at registration, check users' tokens offline yet can never make one; an HMAC key shared with every
/// cluster would let any cluster sign Admin tokens for the root.
/// </summary>
internal sealed class UserTokenSigningKey : IDisposable
{
    private const string Setting = "jwt_es256_key";
    private readonly ECDsa _key;

    private UserTokenSigningKey(ECDsa key)
    {
        _key = key;
        var publicKey = key.ExportParameters(includePrivateParameters: false);
        var kid = Base64UrlEncoder.Encode(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
        // A factory of its own: the shared default caches signature providers by key id, so a second root in the same process
        // (tests restart one) would sign with the first one's disposed key.
        SecurityKey = new ECDsaSecurityKey(key) { KeyId = kid, CryptoProviderFactory = new CryptoProviderFactory() };
        PublicKey = new UserTokenKey(kid, SecurityAlgorithms.EcdsaSha256, "P-256",
            Base64UrlEncoder.Encode(publicKey.Q.X!), Base64UrlEncoder.Encode(publicKey.Q.Y!));
    }

    public ECDsaSecurityKey SecurityKey { get; }

    /// <summary>What clusters get: the public half only.</summary>
    public UserTokenKey PublicKey { get; }

    public static async Task<UserTokenSigningKey> LoadOrCreateAsync(IRootStore store, CancellationToken ct)
    {
        var pkcs8 = await store.GetOrAddSettingAsync(Setting, () =>
        {
            using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return Convert.ToBase64String(created.ExportPkcs8PrivateKey());
        }, ct);
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(pkcs8), out _);
        return new UserTokenSigningKey(key);
    }

    public void Dispose() => _key.Dispose();
}
