using System.Security.Cryptography;
using System.Text;

namespace Canopy.Root.ClusterLinks;

/// <summary>Link credentials: random secrets handed out at registration; the root keeps only their SHA-256.</summary>
internal static class ClusterCredentials
{
    public static string NewCredential() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>A plain hash suffices: the secret is 256 random bits, not a password someone chose.</summary>
    public static string Hash(string credential) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(credential)));

    public static bool Matches(string credential, string hash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(credential)), Encoding.ASCII.GetBytes(hash));

    public static bool SameSecret(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
