namespace Canopy.NodeEngine.Linux;

/// <summary>Finds a program the way a shell would, plus the system directories a service's PATH often lacks.</summary>
internal static class Executables
{
    private static readonly string[] SystemDirs = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>The PATH Canopy gives to the daemons it starts (containerd runs runc, shims, CNI plugins and iptables from it).</summary>
    public const string SystemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>An absolute or relative path is taken as it is; a bare name is looked up in PATH, then in the system directories.</summary>
    public static string? Find(string nameOrPath)
    {
        if (string.IsNullOrWhiteSpace(nameOrPath))
        {
            return null;
        }

        if (nameOrPath.Contains('/'))
        {
            return File.Exists(nameOrPath) ? Path.GetFullPath(nameOrPath) : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(SystemDirs))
        {
            var candidate = Path.Combine(dir, nameOrPath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>A companion program installed beside <paramref name="sibling"/> (ctr beside containerd), else found like <see cref="Find"/>.</summary>
    public static string? FindBeside(string sibling, string name)
    {
        var dir = Path.GetDirectoryName(sibling);
        var beside = dir is null ? null : Path.Combine(dir, name);
        return beside is not null && File.Exists(beside) ? beside : Find(name);
    }
}
