namespace Canopy.NodeEngine.Linux;

/// <summary>Whole process trees, found by what their command line (or environment) names.</summary>
internal static class ProcessTree
{
    /// <summary>
    /// SIGKILLs every process with an argument (or, with <paramref name="environment"/>, a variable) that is the path
    /// <paramref name="marker"/> or below it (see <see cref="Names"/>), and all their descendants: a container's processes are
    /// children of a shim and name nothing of the node's directory themselves. Never this process. Returns how many were signalled.
    /// </summary>
    public static int KillNaming(string marker, bool environment = false) => KillWhere(words => Names(words, marker), environment);

    /// <summary>Like <see cref="KillNaming"/>, for processes whose NUL-separated command line (or environment) <paramref name="matches"/>.</summary>
    public static int KillWhere(Func<string, bool> matches, bool environment = false)
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

                if (matches(File.ReadAllText(Path.Combine(dir, "cmdline"))) ||
                    (environment && matches(File.ReadAllText(Path.Combine(dir, "environ")))))
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

    /// <summary>
    /// True when one of the NUL-separated <paramref name="words"/> is the path <paramref name="marker"/> or below it (<c>--config=…</c>
    /// and <c>VAR=…</c> too): whole paths only, so /tmp/a never matches /home/tmp/a.
    /// </summary>
    internal static bool Names(string words, string marker) =>
        words.Split('\0').Any(w => w.StartsWith(marker, StringComparison.Ordinal) || w.Contains("=" + marker, StringComparison.Ordinal));

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
