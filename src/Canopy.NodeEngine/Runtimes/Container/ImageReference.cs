using System.Text.RegularExpressions;

namespace Canopy.NodeEngine.Runtimes.Container;

/// <summary>
/// Checks an image reference against the grammar of distribution/reference (what containerd parses), so that a
/// typo fails with a clear message before anything is created, instead of as a pull error.
/// </summary>
internal static partial class ImageReference
{
    private const int MaxNameLength = 255;

    public static bool IsValid(string? reference, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(reference))
        {
            error = "container services need an image reference in code, e.g. 127.0.0.1:5000/canopy/busybox:1";
            return false;
        }

        var match = Grammar().Match(reference);
        if (!match.Success)
        {
            error = $"image reference '{reference}' does not parse: expected [registry[:port]/]name[:tag][@digest] with a lowercase name, " +
                    "e.g. 127.0.0.1:5000/canopy/busybox:1";
            return false;
        }

        // Like docker: a first component without '.' or ':' (and not localhost) is a repository path, not a registry,
        // and repository paths are lowercase ("Canopy/app" is refused, "Registry.Local/app" is not).
        var name = match.Groups["name"].Value;
        var slash = name.IndexOf('/');
        var first = slash < 0 ? "" : name[..slash];
        if (first.Length > 0 && !first.Contains('.') && !first.Contains(':') && first != "localhost" && first.Any(char.IsAsciiLetterUpper))
        {
            error = $"image reference '{reference}' does not parse: repository names must be lowercase";
            return false;
        }

        if (name.Length > MaxNameLength)
        {
            error = $"image reference '{reference}' does not parse: the name is longer than {MaxNameLength} characters";
            return false;
        }

        return true;
    }

    // domain component: [a-zA-Z0-9] or [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]; path component: [a-z0-9]+ joined by '.', '_', '__' or '-'s.
    [GeneratedRegex(
        """
        ^(?<name>(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$
        """,
        RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
