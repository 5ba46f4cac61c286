using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Canopy.Root.Auth;

/// <summary>
/// PBKDF2-SHA256 with a per-user salt, stored as <c>pbkdf2-sha256$iterations$salt$hash</c> (base64) so the cost can rise: 600,000
/// iterations, OWASP's figure for PBKDF2-SHA256 (2023). Hashes with fewer (Canopy used 100,000 before) still verify, and
/// <see cref="NeedsRehash"/> tells the login to store a new one while it holds the password.
/// </summary>
internal static class PasswordHasher
{
    public const int Iterations = 600_000;
    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    // Verified against when the user does not exist, so that a wrong name costs as long as a wrong password.
    private static readonly string Decoy = Hash("decoy");

    public static string Hash(string password) => Hash(password, Iterations);

    /// <summary>With another cost: for tests of the upgrade of old hashes.</summary>
    public static string Hash(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    public static bool Verify(string password, string? stored)
    {
        var parts = (stored ?? Decoy).Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var iterations))
        {
            return false;
        }

        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(
            Encoding.UTF8.GetBytes(password), Convert.FromBase64String(parts[2]), iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected) && stored is not null;
    }

    /// <summary>True for a hash made with a weaker scheme or cost than <see cref="Hash(string)"/> makes now.</summary>
    public static bool NeedsRehash(string stored)
    {
        var parts = stored.Split('$');
        return parts.Length != 4 || parts[0] != Scheme ||
               !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var iterations) || iterations < Iterations;
    }
}
