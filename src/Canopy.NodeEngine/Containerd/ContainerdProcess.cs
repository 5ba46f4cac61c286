using System.Diagnostics;
using System.Text;
using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine.Containerd;

/// <summary>
/// Canopy's own containerd as a process: started detached in its own session, so that it (and the containers it
/// manages) outlives the node engine, whether that stops cleanly or is killed. "Ours" is the containerd whose
/// command line names our config file; the pid file is a hint, /proc is the truth.
/// </summary>
internal static class ContainerdProcess
{
    /// <summary>Writes its own pid (the shell's, which exec keeps), then becomes containerd with all output appended to the log.</summary>
    private const string Script =
        """
        echo $$ >"$1"
        log="$2"
        shift 2
        exec "$@" </dev/null >>"$log" 2>&1
        """;

    /// <summary>Starts containerd and returns its pid (from the pid file the wrapper writes before it becomes containerd).</summary>
    public static async Task<int> StartAsync(string containerdPath, ContainerdPaths paths, CancellationToken ct)
    {
        var setsid = Setsid.Command ?? throw new InvalidOperationException(
            "setsid is missing (Debian package util-linux or busybox-static): containerd cannot be started detached");
        var info = new ProcessStartInfo(setsid[0]) { UseShellExecute = false, WorkingDirectory = paths.Dir };
        foreach (var arg in setsid.Skip(1).Concat(["/bin/sh", "-c", Script, "canopy-containerd", paths.PidFile, paths.Log,
                     containerdPath, "--config", paths.Config]))
        {
            info.ArgumentList.Add(arg);
        }

        // containerd runs runc, its shims, the CNI plugins and iptables from PATH; the node engine's own environment
        // (which may hold its join token) is not passed on.
        info.Environment.Clear();
        info.Environment["PATH"] = Executables.SystemPath;
        File.Delete(paths.PidFile);
        int started;
        using (var process = Process.Start(info) ?? throw new InvalidOperationException("containerd did not start"))
        {
            started = process.Id;
        }

        // setsid forks when it is a process group leader; then the pid file is the only place the real pid shows up.
        for (var i = 0; i < 100 && ReadPidFile(paths.PidFile) is null; i++)
        {
            await Task.Delay(20, ct).ConfigureAwait(false);
        }

        return ReadPidFile(paths.PidFile) ?? started;
    }

    /// <summary>The pid of the containerd that runs with <paramref name="paths"/>' config, or null.</summary>
    public static int? FindRunning(ContainerdPaths paths)
    {
        if (ReadPidFile(paths.PidFile) is { } pid && IsOurs(pid, paths.Config))
        {
            return pid;
        }

        // The pid file may be stale or gone (a crash between start and write): look at every process once.
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var candidate) && IsOurs(candidate, paths.Config))
            {
                return candidate;
            }
        }

        return null;
    }

    public static bool IsAlive(int pid) => ProcessStat.Read(ProcessStat.PathOf(pid)) is { HasExited: false };

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>; true once it is gone.</summary>
    public static async Task<bool> StopAsync(int pid, TimeSpan grace, CancellationToken ct)
    {
        LibC.Kill(pid, LibC.SigTerm);
        if (await WaitGoneAsync(pid, grace, ct).ConfigureAwait(false))
        {
            return true;
        }

        LibC.Kill(pid, LibC.SigKill);
        return await WaitGoneAsync(pid, TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
    }

    /// <summary>The last lines of containerd's log, to say why it did not come up.</summary>
    public static string LogTail(string log, int lines = 5)
    {
        try
        {
            var tail = File.ReadLines(log).TakeLast(lines).Select(l => l.Length > 400 ? l[..400] : l);
            return string.Join(" | ", tail);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static async Task<bool> WaitGoneAsync(int pid, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (IsAlive(pid))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }

        return true;
    }

    private static int? ReadPidFile(string path)
    {
        try
        {
            return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsOurs(int pid, string config)
    {
        if (pid <= 1 || !IsAlive(pid))
        {
            return false;
        }

        try
        {
            var argv = File.ReadAllText($"/proc/{pid}/cmdline", Encoding.UTF8).Split('\0');
            if (argv.Length < 3 || !Path.GetFileName(argv[0]).StartsWith("containerd", StringComparison.Ordinal) ||
                argv[0].Contains("shim", StringComparison.Ordinal))
            {
                return false;
            }

            for (var i = 1; i < argv.Length - 1; i++)
            {
                if (argv[i] is "--config" or "-c" && argv[i + 1] == config)
                {
                    return true;
                }
            }

            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
