namespace Canopy.Testing;

/// <summary>The process an exec instance runs, as a user finds it to <c>kill -9</c> it.</summary>
public static class InstanceWorkload
{
    /// <summary>
    /// SIGKILLs the workload under the instance's wrapper (<paramref name="pid"/>: the instance's pid as the API reports it),
    /// or the pid itself when it has no child.
    /// </summary>
    public static void Kill(int pid)
    {
        var children = Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var p) ? p : 0)
            .Where(p => p > 0 && ParentOf(p) == pid)
            .ToList();
        foreach (var target in children.Count > 0 ? children : [pid])
        {
            Signals.Kill(target, Signals.SigKill);
        }
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // Field 4 of /proc/<pid>/stat; the command name before it may hold spaces and ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1]);
        }
        catch (Exception)
        {
            return 0;
        }
    }
}
