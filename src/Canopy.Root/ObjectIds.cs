using System.Security.Cryptography;
using System.Text;

namespace Canopy.Root;

/// <summary>24 hex characters like a Mongo ObjectId, because Oakestra's clients expect ids of that shape.</summary>
internal static class ObjectIds
{
    /// <summary>A new id: seconds, then random, as a Mongo ObjectId.</summary>
    public static string New(TimeProvider time)
    {
        Span<byte> bytes = stackalloc byte[12];
        var seconds = (uint)time.GetUtcNow().ToUnixTimeSeconds();
        bytes[0] = (byte)(seconds >> 24);
        bytes[1] = (byte)(seconds >> 16);
        bytes[2] = (byte)(seconds >> 8);
        bytes[3] = (byte)seconds;
        RandomNumberGenerator.Fill(bytes[4..]);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>
    /// The id of something Canopy keys by name (a user, the organization): derived from the name, so it needs no stored column
    /// and stays the same across restarts. <paramref name="kind"/> keeps a user and an organization of one name apart.
    /// </summary>
    public static string Derived(string kind, string name) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}:{name}")).AsSpan(0, 12));

    public static string ForUser(string name) => Derived("user", name);
}
