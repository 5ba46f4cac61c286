using System.Diagnostics;
using System.Text.Json;

namespace Canopy.Testing;

/// <summary>
/// Removes from the machine whatever a test's Canopy left under its data dir: processes (instance wrappers, Mosquitto,
/// containerd and its shims), mounts (container root filesystems, pod network namespaces) and the CNI bridge.
/// </summary>
public static class MachineCleanup
{
    public static void ForDataDir(string dataDir)
    {
        KillProcessesUsing(dataDir);
        UnmountUnder(dataDir);
        DeleteBridges(dataDir);
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Kills every process that names the data dir (wrappers, Mosquitto, containerd, its shims) and all their descendants:
    /// a container's processes are children of a shim and name nothing of the data dir themselves.
    /// </summary>
    public static void KillProcessesUsing(string dataDir)
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
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var environ = File.ReadAllText(Path.Combine(dir, "environ"));
                if (cmdline.Contains(dataDir, StringComparison.Ordinal) || environ.Contains(dataDir, StringComparison.Ordinal))
                {
                    roots.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
            }
        }

        bool Descends(int pid)
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

        foreach (var pid in parents.Keys.Where(Descends).ToList())
        {
            Signals.Kill(pid, Signals.SigKill);
        }
    }

    private static void UnmountUnder(string dataDir)
    {
        var mounts = File.ReadAllLines("/proc/self/mountinfo")
            .Select(l => l.Split(' ')[4])
            .Where(m => m.StartsWith(dataDir, StringComparison.Ordinal))
            .OrderByDescending(m => m.Length)
            .ToList();
        foreach (var mount in mounts)
        {
            Run("umount", "-l", mount);
        }
    }

    private static void DeleteBridges(string dataDir)
    {
        if (!Directory.Exists(dataDir))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(dataDir, "*.conflist", SearchOption.AllDirectories))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(file));
                foreach (var plugin in doc.RootElement.GetProperty("plugins").EnumerateArray())
                {
                    if (plugin.TryGetProperty("bridge", out var bridge) && bridge.GetString() is { Length: > 0 } name)
                    {
                        Run("ip", "link", "del", name);
                    }
                }
            }
            catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
            }
        }
    }

    private static void Run(string file, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            p.WaitForExit(10_000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }
}
