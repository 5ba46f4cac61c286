using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Canopy.Testing;

public static partial class Signals
{
    /// <summary>SIGTERM, then the whole process tree killed if it has not exited within <paramref name="grace"/>.</summary>
    public static async Task TerminateAsync(Process process, TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }

        Kill(process.Id, SigTerm);
        using var cts = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    public static bool IsAlive(int pid) => Kill(pid, 0) == 0;

    /// <summary>Whether the process ignores SIGINT (bit 1 of SigIgn in /proc/PID/status).</summary>
    public static bool IgnoresSigInt(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line[7..].Trim(), 16) & (1UL << (SigInt - 1))) != 0;
    }

    /// <summary>
    /// Kills an exec instance's workload, the process under its wrapper <paramref name="pid"/> (the wrapper itself when it has no
    /// child), as a user's <c>kill -9</c> would.
    /// </summary>
    public static void KillWorkload(int pid)
    {
        var children = Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var p) ? p : 0)
            .Where(p => p > 0 && ParentOf(p) == pid)
            .ToList();
        foreach (var target in children.Count > 0 ? children : [pid])
        {
            Kill(target, SigKill);
        }
    }

    /// <summary>The parent of <paramref name="pid"/>, or 0 when it is gone.</summary>
    public static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
