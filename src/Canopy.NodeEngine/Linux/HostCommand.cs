using System.ComponentModel;
using System.Diagnostics;

namespace Canopy.NodeEngine.Linux;

/// <summary>A short system command (<c>ip</c>, <c>iptables-save</c>) run to its end, with what it printed.</summary>
internal static class HostCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>Exit code (−1 when it is not installed or did not finish), stdout and stderr.</summary>
    public static (int Code, string Output, string Error) Run(string program, IEnumerable<string> args, string? input = null)
    {
        var path = Executables.Find(program);
        if (path is null)
        {
            return (-1, "", $"{program} is not installed");
        }

        var info = new ProcessStartInfo(path)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(info) ?? throw new Win32Exception($"{program} did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (input is not null)
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }

            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                return (-1, "", $"{program} did not finish within {Timeout.TotalSeconds} s");
            }

            return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
        }
        catch (Win32Exception e)
        {
            return (-1, "", e.Message);
        }
    }
}
