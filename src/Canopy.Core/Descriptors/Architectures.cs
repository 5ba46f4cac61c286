namespace Canopy.Core.Descriptors;

/// <summary>
/// CPU architectures by Go's GOARCH names, the ones Oakestra's node engine and Canopy's nodes report (<c>amd64</c>, <c>arm64</c>,
/// ...), with the names <c>uname -m</c>, Debian and Docker use for them as aliases.
/// </summary>
public static class Architectures
{
    public const string Amd64 = "amd64";
    public const string Arm64 = "arm64";

    /// <summary>The names an SLA's <c>arch</c> may use, canonical ones only, the way error messages list them.</summary>
    public static readonly IReadOnlyList<string> Known =
        [Amd64, Arm64, "arm", "386", "riscv64", "ppc64le", "ppc64", "s390x", "loong64", "mips", "mipsle", "mips64", "mips64le"];

    /// <summary><c>x86_64</c> → <c>amd64</c>, <c>aarch64</c> → <c>arm64</c>; case-insensitive; null for a name that is no architecture.</summary>
    public static string? Normalize(string? architecture) => architecture?.Trim().ToLowerInvariant() switch
    {
        "amd64" or "x86_64" or "x86-64" or "x64" => Amd64,
        "arm64" or "aarch64" or "arm64v8" or "armv8" => Arm64,
        "arm" or "armv7" or "armv7l" or "armhf" or "armel" or "armv6" or "armv6l" or "arm32" => "arm",
        "386" or "i386" or "i686" or "x86" => "386",
        "riscv64" => "riscv64",
        "ppc64le" or "ppc64el" => "ppc64le",
        "ppc64" => "ppc64",
        "s390x" => "s390x",
        "loong64" or "loongarch64" => "loong64",
        "mips" => "mips",
        "mipsle" or "mipsel" => "mipsle",
        "mips64" => "mips64",
        "mips64le" or "mips64el" => "mips64le",
        _ => null,
    };

    /// <summary>The name to compare by: the canonical one, or for a name this list does not know the lower-case text (it still matches itself).</summary>
    public static string Canonical(string? architecture) =>
        Normalize(architecture) ?? architecture?.Trim().ToLowerInvariant() ?? "";

    /// <summary>Already a canonical name: a node reports its architecture this way, so most comparisons need no normalising.</summary>
    public static bool IsCanonical(string architecture) => architecture is Amd64 or Arm64 or "arm" or "386" or "riscv64" or "ppc64le"
        or "ppc64" or "s390x" or "loong64" or "mips" or "mipsle" or "mips64" or "mips64le";
}
