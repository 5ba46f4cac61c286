using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine.Tests.Support;

public static class Procs
{
    /// <summary>The direct children of <paramref name="pid"/> (its main thread's view, which is where a shell's children hang).</summary>
    public static int[] ChildrenOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/task/{pid}/children")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(int.Parse)
                .ToArray();
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>Children, grandchildren...: what a kill of the instance must reach.</summary>
    public static int[] DescendantsOf(int pid) =>
        ChildrenOf(pid).SelectMany(child => DescendantsOf(child).Prepend(child)).ToArray();

    public static bool IsAlive(int pid) => ProcessStat.Read(ProcessStat.PathOf(pid)) is { HasExited: false };

    /// <summary>The process group of a live process; null when it is gone or a zombie.</summary>
    public static int? GroupOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] == "Z" ? null : int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// True while some live process still belongs to the group. An ended process waiting to be reaped (a zombie) runs
    /// nothing and holds nothing, so it does not count; kill(−pgid, 0) would count it.
    /// </summary>
    public static bool GroupExists(int pgid)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] != "Z" && int.Parse(fields[2]) == pgid)
                {
                    return true;
                }
            }
            catch (IOException)
            {
                // Gone while we looked.
            }
        }

        return false;
    }
}
