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
        DeleteNatRules(dataDir);
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

    /// <summary>
    /// Pods killed with their node never got CNI DEL: their portmap DNAT and masquerade rules would still catch traffic to
    /// their host ports. CNI names the network in each rule's comment; the conflists under the data dir say which names.
    /// </summary>
    public static void DeleteNatRules(string dataDir)
    {
        var names = NetworkNames(dataDir);
        if (names.Count == 0)
        {
            return;
        }

        var saved = Output("iptables-save", "-t", "nat");
        var deletes = new List<string>();
        var chains = new HashSet<string>();
        foreach (var line in saved.Split('\n'))
        {
            if (!line.StartsWith("-A ", StringComparison.Ordinal) || !names.Any(n => line.Contains($"name: \\\"{n}\\\"", StringComparison.Ordinal)))
            {
                continue;
            }

            deletes.Add("-D " + line[3..]);
            var jump = line.IndexOf(" -j ", StringComparison.Ordinal);
            if (jump > 0 && line[(jump + 4)..].Split(' ')[0] is { } target && target.StartsWith("CNI-", StringComparison.Ordinal) &&
                target is not ("CNI-HOSTPORT-DNAT" or "CNI-HOSTPORT-SNAT" or "CNI-HOSTPORT-MASQ" or "CNI-HOSTPORT-SETMARK"))
            {
                chains.Add(target);
            }
        }

        if (deletes.Count == 0)
        {
            return;
        }

        var script = "*nat\n" + string.Join("\n", deletes) + "\n" +
                     string.Join("\n", chains.Select(c => $"-F {c}")) + "\n" +
                     string.Join("\n", chains.Select(c => $"-X {c}")) + "\nCOMMIT\n";
        RunWithInput("iptables-restore", script, "--noflush");
    }

    private static List<string> NetworkNames(string dataDir)
    {
        var names = new List<string>();
        if (!Directory.Exists(dataDir))
        {
            return names;
        }

        foreach (var file in Directory.EnumerateFiles(dataDir, "*.conflist", SearchOption.AllDirectories))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(file));
                if (doc.RootElement.TryGetProperty("name", out var name) && name.GetString() is { Length: > 0 } n)
                {
                    names.Add(n);
                }
            }
            catch (Exception e) when (e is IOException or JsonException or InvalidOperationException)
            {
            }
        }

        return names;
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

    private static string Output(string file, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit(10_000);
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }

    /// <summary>Runs a command with <paramref name="input"/> on its standard input.</summary>
    private static void RunWithInput(string file, string input, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            p.StandardInput.Write(input);
            p.StandardInput.Close();
            p.WaitForExit(10_000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
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
