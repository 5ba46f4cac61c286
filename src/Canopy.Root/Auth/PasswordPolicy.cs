namespace Canopy.Root.Auth;

/// <summary>
/// What a new password must be: at least 12 characters (NIST SP 800-63B asks at least 8, and 15 without a second factor; 12 is
/// long enough to outlast offline guessing against the KDF, short enough for an operator to type). No composition rules: they
/// make passwords shorter in practice, not stronger.
/// </summary>
internal static class PasswordPolicy
{
    public const int MinLength = 12;
    public const int MaxLength = 256;

    /// <summary>What is wrong with the password, prefixed by <paramref name="field"/>; null when it is acceptable.</summary>
    public static string? Problem(string field, string? password) => password switch
    {
        null or "" => $"{field}: required",
        { Length: < MinLength } => $"{field}: at least {MinLength} characters are required (got {password.Length})",
        { Length: > MaxLength } => $"{field}: at most {MaxLength} characters",
        _ => null,
    };
}
