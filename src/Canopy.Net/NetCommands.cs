using System.ComponentModel;
using System.Diagnostics;

namespace Canopy.Net;

/// <summary>What a command printed and how it ended (−1: not installed, did not start or did not finish).</summary>
internal readonly record struct CommandResult(int Code, string Output, string Error)
{
    public bool Ok => Code == 0;

    public string Reason => string.IsNullOrWhiteSpace(Error) ? $"exit code {Code}" : Error.Trim();
}

/// <summary>
/// Runs <c>ip</c>, <c>bridge</c> and <c>nft</c> as child processes, inside the node's network namespace when it has one
/// (through <c>nsenter --net=&lt;path&gt;</c>), each to its end with what it printed.
/// </summary>
internal sealed class NetCommands(string? netNamespace)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly string[] SystemDirs = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    public string? NetNamespace { get; } = netNamespace;

    /// <summary>The full path of <paramref name="program"/> (PATH, then the system directories); null when it is not installed.</summary>
    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(SystemDirs)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    public async Task<CommandResult> RunAsync(string program, IEnumerable<string> args, string? input, CancellationToken ct)
    {
        var path = Find(program);
        var launcher = NetNamespace is null ? path : Find("nsenter");
        if (path is null || launcher is null)
        {
            return new CommandResult(-1, "", $"{(path is null ? program : "nsenter")} is not installed");
        }

        var info = new ProcessStartInfo(launcher)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
        };
        if (NetNamespace is not null)
        {
            info.ArgumentList.Add("--net=" + NetNamespace);
            info.ArgumentList.Add(path);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new Win32Exception($"{program} did not start");
        }
        catch (Win32Exception e)
        {
            return new CommandResult(-1, "", e.Message);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(Timeout);
            try
            {
                if (input is not null)
                {
                    await WriteInputAsync(process, input, deadline.Token).ConfigureAwait(false);
                }

                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
                return new CommandResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                ct.ThrowIfCancellationRequested();
                return new CommandResult(-1, "", $"{program} did not finish within {Timeout.TotalSeconds} s");
            }
        }
    }

    /// <summary>A program that exits before reading all its input (a syntax error) closes the pipe: its exit code tells why.</summary>
    private static async Task WriteInputAsync(Process process, string input, CancellationToken ct)
    {
        try
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), ct).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
        }
    }
}
