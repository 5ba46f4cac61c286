namespace Canopy.NodeEngine.Linux;

/// <summary>Whole process trees, found by what their command line (or environment) names.</summary>
internal static class ProcessTree
{
    /// <summary>
    /// SIGKILLs every process whose command line names <paramref name="marker"/> (or, with <paramref name="environment"/>, whose
    /// environment does), and all their descendants: a container's processes are children of a shim and name nothing of the
    /// node's directory themselves. Never this process. Returns how many were signalled.
    /// </summary>
    public static int KillNaming(string marker, bool environment = false)
    {
        var parents = new Dictionary<int, int>();
        var roots = new HashSet<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (ParentOf(File.ReadAllText(Path.Combine(dir, "stat"))) is { } parent)
                {
                    parents[pid] = parent;
                }

                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Contains(marker, StringComparison.Ordinal) ||
                    (environment && File.ReadAllText(Path.Combine(dir, "environ")).Contains(marker, StringComparison.Ordinal)))
                {
                    roots.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }

        var killed = 0;
        foreach (var pid in parents.Keys.Where(p => Descends(p, roots, parents)))
        {
            if (LibC.Kill(pid, LibC.SigKill))
            {
                killed++;
            }
        }

        return killed;
    }

    /// <summary>Field 4 of <c>/proc/&lt;pid&gt;/stat</c>; the command name before it may hold spaces and ')'.</summary>
    internal static int? ParentOf(string stat)
    {
        var close = stat.LastIndexOf(')');
        var fields = close < 0 || close + 2 >= stat.Length ? [] : stat[(close + 2)..].Split(' ');
        return fields.Length > 1 && int.TryParse(fields[1], out var parent) ? parent : null;
    }

    private static bool Descends(int pid, HashSet<int> roots, Dictionary<int, int> parents)
    {
        for (var hops = 0; pid > 1 && hops < 64; hops++)
        {
            if (roots.Contains(pid))
            {
                return true;
            }

            if (!parents.TryGetValue(pid, out pid))
            {
                return false;
            }
        }

        return false;
    }
}
