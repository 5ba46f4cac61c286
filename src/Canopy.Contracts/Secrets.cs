using System.Security.Cryptography;
using System.Text;

namespace Canopy.Contracts;

/// <summary>
/// The secrets of registration and links (node and cluster secrets, link credentials, join tokens, the cluster's admin
/// credential): 256 random bits as base64url; whoever checks one keeps only its SHA-256.
/// </summary>
public static class Secrets
{
    /// <summary>Shorter ones are refused where a tier accepts a secret it did not make: 192 bits at least.</summary>
    public const int MinLength = 32;

    public static string New(string prefix = "") => prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>A plain hash suffices: the secret is 256 random bits, not a password someone chose.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool Matches(string? secret, string? hash) =>
        !string.IsNullOrEmpty(secret) && !string.IsNullOrEmpty(hash) &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(hash));

    public static bool Same(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
