using System.Security.Cryptography;
using System.Text;

namespace Canopy.Cluster.Broker;

/// <summary>
/// Mosquitto's password-file hash <c>$7$</c> (what <c>mosquitto_passwd</c> 2.x writes): PBKDF2-HMAC-SHA512, 101 iterations,
/// 12-byte salt, 64-byte hash, both base64. Written here so the cluster needs no <c>mosquitto_passwd</c> binary.
/// </summary>
internal static class MosquittoPasswordHash
{
    public const int Iterations = 101;
    private const int SaltBytes = 12;
    private const int HashBytes = 64;

    public static string Hash(string password) => Hash(password, RandomNumberGenerator.GetBytes(SaltBytes));

    public static string Hash(string password, byte[] salt)
    {
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA512, HashBytes);
        return $"$7${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>True when <paramref name="encoded"/> (a <c>$7$</c> entry) is the hash of <paramref name="password"/>.</summary>
    public static bool Verify(string password, string encoded)
    {
        var parts = encoded.Split('$');
        if (parts.Length != 5 || parts[1] != "7" || !int.TryParse(parts[2], out var iterations))
        {
            return false;
        }

        var salt = Convert.FromBase64String(parts[3]);
        var expected = Convert.FromBase64String(parts[4]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
