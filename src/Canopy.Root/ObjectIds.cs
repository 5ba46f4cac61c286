using System.Security.Cryptography;

namespace Canopy.Root;

/// <summary>24 hex characters like a Mongo ObjectId (seconds, then random), because Oakestra's clients expect ids of that shape.</summary>
internal static class ObjectIds
{
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
}
