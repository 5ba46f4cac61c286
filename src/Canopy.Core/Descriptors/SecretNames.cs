using System.Text.RegularExpressions;

namespace Canopy.Core.Descriptors;

/// <summary>Names of secrets (and of their keys): what a DNS label allows plus <c>_</c> and <c>.</c>, so they are safe in paths and URLs.</summary>
public static partial class SecretNames
{
    public const int MaxLength = 63;

    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(name);

    public static string Problem(string name) =>
        $"\"{name}\" is not a valid secret name; use 1-{MaxLength} letters, digits, '-', '_' or '.', starting with a letter or digit, e.g. \"registry-login\"";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex Pattern();
}
