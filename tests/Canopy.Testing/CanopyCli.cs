using System.Diagnostics;

namespace Canopy.Testing;

/// <summary>The built <c>canopy</c> CLI as a user runs it, against one root with its own CLI config file.</summary>
public static class CanopyCli
{
    /// <summary><paramref name="stdin"/>: what the command reads from its standard input (e.g. a password), then end of input.</summary>
    public static Task<CliResult> RunAsync(string configPath, string rootUrl, IReadOnlyList<string> args, TimeSpan timeout, string? stdin = null)
    {
        var psi = new ProcessStartInfo(Repo.CanopyBinary);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return RunAsync(psi, configPath, rootUrl, args, timeout, stdin);
    }

    /// <summary>
    /// The command on a pseudo-terminal, as a person at a terminal runs it (util-linux <c>script</c>): stdin and stdout are a
    /// terminal, <paramref name="typed"/> is what the person types (end each answer with \n: end of input alone is no answer).
    /// Everything the command writes comes back as <see cref="CliResult.StdOut"/>, with the terminal's carriage returns.
    /// </summary>
    public static Task<CliResult> RunInTerminalAsync(string configPath, string rootUrl, IReadOnlyList<string> args, string typed, TimeSpan timeout)
    {
        if (!File.Exists("/usr/bin/script"))
        {
            throw new InvalidOperationException("/usr/bin/script not found: apt-get install util-linux (it gives the CLI a terminal).");
        }

        var command = string.Join(' ', new[] { Repo.CanopyBinary }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var psi = new ProcessStartInfo("/usr/bin/script") { ArgumentList = { "--quiet", "--return", "--command", command, "/dev/null" } };
        psi.Environment["TERM"] = "xterm";
        return RunAsync(psi, configPath, rootUrl, args, timeout, typed);
    }

    /// <summary>A command that runs until it is interrupted (<c>canopy events -f</c>), its output read line by line as it comes.</summary>
    public static RunningCli Start(string configPath, string rootUrl, IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo(Repo.CanopyBinary);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        Prepare(psi, configPath, rootUrl, redirectInput: false);
        return new RunningCli(Process.Start(psi)!, args);
    }

    private static void Prepare(ProcessStartInfo psi, string configPath, string rootUrl, bool redirectInput)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = redirectInput;
        psi.UseShellExecute = false;
        psi.Environment["CANOPY_CONFIG"] = configPath;
        psi.Environment["CANOPY_SERVER"] = rootUrl;
        psi.Environment["COLUMNS"] = "250";
    }

    private static async Task<CliResult> RunAsync(
        ProcessStartInfo psi, string configPath, string rootUrl, IReadOnlyList<string> args, TimeSpan timeout, string? stdin)
    {
        Prepare(psi, configPath, rootUrl, redirectInput: stdin is not null);
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
