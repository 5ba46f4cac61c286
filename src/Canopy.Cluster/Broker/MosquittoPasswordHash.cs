using System.Security.Cryptography;
using System.Text;

namespace Canopy.Cluster.Broker;

/// <summary>
/// Mosquitto's password-file hash <c>$7$</c> (what <c>mosquitto_passwd</c> 2.x writes): PBKDF2-HMAC-SHA512, 101 iterations,
/// 12-byte salt, 64-byte hash, both base64; and <c>$6$</c> (salted SHA-512) for random secrets. Written here so the cluster needs no
/// <c>mosquitto_passwd</c> binary.
/// </summary>
internal static class MosquittoPasswordHash
{
    public const int Iterations = 101;
    private const int SaltBytes = 12;
    private const int HashBytes = 64;

    public static string Hash(string password) => Hash(password, RandomNumberGenerator.GetBytes(SaltBytes));

    /// <summary>
    /// Mosquitto's <c>$6$</c> entry (salted SHA-512, which 2.x still reads), for the secrets the cluster makes itself (190 random
    /// bits, <see cref="BrokerUsers.NewPassword"/>): stretching protects guessable passwords and adds nothing to a random one, while
    /// Mosquitto hashes every connected client's password again at each reload: with PBKDF2 (~0.25 ms each) thousands of
    /// nodes made every registration's reload take seconds of the broker's only thread.
    /// </summary>
    public static string HashRandomSecret(string secret) => HashRandomSecret(secret, RandomNumberGenerator.GetBytes(SaltBytes));

    public static string HashRandomSecret(string secret, byte[] salt)
    {
        var hash = SHA512.HashData([.. Encoding.UTF8.GetBytes(secret), .. salt]);
        return $"$6${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static string Hash(string password, byte[] salt)
    {
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA512, HashBytes);
        return $"$7${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>True when <paramref name="encoded"/> (a <c>$7$</c> entry) is the hash of <paramref name="password"/>.</summary>
    public static bool Verify(string password, string encoded)
    {
        var parts = encoded.Split('$');
        if (parts.Length == 4 && parts[1] == "6")
        {
            var sha = SHA512.HashData([.. Encoding.UTF8.GetBytes(password), .. Convert.FromBase64String(parts[2])]);
            return CryptographicOperations.FixedTimeEquals(sha, Convert.FromBase64String(parts[3]));
        }

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
