namespace Canopy.NodeEngine.Linux;

/// <summary>The mounts a node's containerd leaves under its directory: container root filesystems, pod network namespaces.</summary>
internal static class Mounts
{
    /// <summary>Detaches every mount at or below <paramref name="dir"/>, deepest first (a mount inside another keeps that one busy).</summary>
    public static int DetachUnder(string dir)
    {
        var prefix = Path.TrimEndingDirectorySeparator(dir) + "/";
        var points = Under(File.ReadAllLines("/proc/self/mountinfo"), prefix);
        return points.Count(LibC.Detach);
    }

    /// <summary>Mount points (field 5 of mountinfo, octal escapes undone) under <paramref name="prefix"/>, deepest first.</summary>
    internal static List<string> Under(IEnumerable<string> mountinfo, string prefix) =>
        mountinfo.Select(line => line.Split(' '))
            .Where(fields => fields.Length > 4)
            .Select(fields => Unescape(fields[4]))
            .Where(point => point.StartsWith(prefix, StringComparison.Ordinal))
            .Distinct()
            .OrderByDescending(point => point.Length)
            .ToList();

    /// <summary>mountinfo writes space, tab, newline and backslash as <c>\040</c>, <c>\011</c>, <c>\012</c>, <c>\134</c>.</summary>
    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}
