namespace Canopy.Testing;

/// <summary>The processes of exec instances on this machine.</summary>
public static class ExecWorkloads
{
    /// <summary>Kills the process under the instance's wrapper (its workload, e.g. httpd) as a user's <c>kill -9</c> would.</summary>
    /// <param name="pid">The instance's pid as the API reports it.</param>
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
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception)
        {
            return 0;
        }
    }
}
