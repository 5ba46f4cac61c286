namespace Canopy.NodeEngine.Linux;

/// <summary>
/// How to start a program in a new session (no controlling terminal, its own process group): util-linux setsid, or
/// busybox's. What the node engine starts this way outlives it and is not hit by signals sent to its group.
/// </summary>
internal static class Setsid
{
    private static readonly Lazy<string[]?> Prefix = new(FindPrefix);

    /// <summary>The argv prefix (<c>["/usr/bin/setsid"]</c> or <c>["/bin/busybox", "setsid"]</c>); null when neither is installed.</summary>
    public static IReadOnlyList<string>? Command => Prefix.Value;

    private static string[]? FindPrefix()
    {
        string[] dirs = ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"];
        foreach (var dir in dirs)
        {
            var path = Path.Combine(dir, "setsid");
            if (File.Exists(path))
            {
                return [path];
            }
        }

        return File.Exists("/bin/busybox") ? ["/bin/busybox", "setsid"] : null;
    }
}
