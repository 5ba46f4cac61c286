using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Canopy.Cri.Tests.Integration;

/// <summary>Runs host commands for the fixture, and the few syscalls its cleanup needs.</summary>
internal static partial class HostCommand
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    public sealed record Result(int ExitCode, string Output)
    {
        public Result EnsureSuccess(string what) =>
            ExitCode == 0 ? this : throw new InvalidOperationException($"{what} failed (exit {ExitCode}):\n{Output}");
    }

    /// <summary>Runs to completion; stdout and stderr together, so a failure explains itself.</summary>
    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}");
        }

        return new Result(process.ExitCode, (await stdout) + (await stderr));
    }

    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;

    /// <summary>Lazy unmount: a busy mount is detached now and released when its last user goes.</summary>
    public static bool DetachMount(string path) => Umount2(path, 2 /* MNT_DETACH */) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2(string target, int flags);
}
