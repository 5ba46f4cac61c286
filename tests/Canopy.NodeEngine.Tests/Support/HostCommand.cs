using System.Diagnostics;

namespace Canopy.NodeEngine.Tests.Support;

/// <summary>Runs a host program to its end and returns its exit code and output (stdout and stderr together).</summary>
public static class HostCommand
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', info.ArgumentList)} did not finish in time");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The first of <paramref name="candidates"/> that exists (a bare name is looked up in PATH), or null.</summary>
    public static string? Find(params string[] candidates) =>
        candidates.SelectMany(c => c.Contains('/')
                ? [c]
                : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, c)))
            .FirstOrDefault(File.Exists);
}
