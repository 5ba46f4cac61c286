using System.Diagnostics;

namespace Canopy.Benchmarks;

/// <summary>containerd's own CLI, for comparison runs and image removal.</summary>
internal static class Ctr
{
    public static async Task<string> RunAsync(string socket, params string[] args)
    {
        var psi = new ProcessStartInfo("ctr") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-a");
        psi.ArgumentList.Add(socket);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return p.ExitCode == 0 ? output : throw new InvalidOperationException($"ctr {string.Join(' ', args)}: {error}");
    }
}
