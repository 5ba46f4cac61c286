namespace Canopy.Cri.Tests.Integration;

/// <summary>A look at /proc, to find the processes the fixture's containerd left behind (shims and what they run).</summary>
internal static class ProcessTable
{
    /// <summary>Processes whose command line mentions <paramref name="text"/>, with all their descendants.</summary>
    public static IReadOnlyList<int> MentioningWithDescendants(string text)
    {
        var parents = new Dictionary<int, int>();
        var roots = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                // stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so parse after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1]);
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains(text, StringComparison.Ordinal))
                {
                    roots.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        var result = new HashSet<int>(roots);
        var added = true;
        while (added)
        {
            added = false;
            foreach (var (pid, ppid) in parents)
            {
                if (!result.Contains(pid) && result.Contains(ppid))
                {
                    result.Add(pid);
                    added = true;
                }
            }
        }

        return [.. result];
    }

    /// <summary>Mount points at or below <paramref name="directory"/>, deepest first (the order to unmount them in).</summary>
    public static IReadOnlyList<string> MountsUnder(string directory)
    {
        var prefix = directory.TrimEnd('/') + "/";
        return File.ReadAllLines("/proc/self/mountinfo")
            .Select(line => Unescape(line.Split(' ')[4]))
            .Where(point => point.StartsWith(prefix, StringComparison.Ordinal) || point == directory)
            .Distinct()
            .OrderByDescending(point => point.Length)
            .ToList();
    }

    // mountinfo escapes space, tab, newline and backslash as \ooo octal.
    private static string Unescape(string field) =>
        System.Text.RegularExpressions.Regex.Replace(field, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());
}
