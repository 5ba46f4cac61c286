using System.Diagnostics;

namespace Canopy.Testing;

/// <summary>The built <c>canopy</c> CLI as a user runs it, against one root with its own CLI config file.</summary>
public static class CanopyCli
{
    /// <summary><paramref name="stdin"/>: what the command reads from its standard input (e.g. a password), then end of input.</summary>
    public static async Task<CliResult> RunAsync(string configPath, string rootUrl, IReadOnlyList<string> args, TimeSpan timeout, string? stdin = null)
    {
        var psi = new ProcessStartInfo(Repo.CanopyBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["CANOPY_CONFIG"] = configPath;
        psi.Environment["CANOPY_SERVER"] = rootUrl;
        psi.Environment["COLUMNS"] = "250";
        using var p = Process.Start(psi)!;
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
            p.StandardInput.Close();
        }

        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"canopy {string.Join(' ', args)} did not end within {timeout.TotalSeconds:0} s");
        }

        return new CliResult(p.ExitCode, await stdout, await stderr);
    }
}
