using System.Diagnostics;
using System.Text;

namespace Canopy.NodeEngine.Runtimes.Vm;

/// <summary>
/// Whether KVM really runs guests on this machine. An openable <c>/dev/kvm</c> is not enough: under nested virtualisation
/// SeaBIOS runs and a Linux kernel then hangs after decompression (measured on the machines Canopy is tested on), or QEMU
/// aborts setting an MSR of <c>-cpu host</c>. So a Linux kernel is booted with the accelerator arguments the guests get,
/// without root file system and with <c>panic=-1</c>: a working KVM takes it through its whole boot to the panic and
/// the reset ends QEMU (<c>-no-reboot</c>) well within the deadline.
/// </summary>
internal static class KvmProbe
{
    public const string DeviceKvm = "/dev/kvm";

    /// <summary>What the kernel prints once it has run its whole boot (and found nothing to mount).</summary>
    private const string BootedMark = "Kernel panic";

    private const int ProbeMemoryMb = 128;

    /// <summary>Why the KVM device cannot be used (absent, no permission); null when it opens for reading and writing.</summary>
    public static string? DeviceProblem()
    {
        try
        {
            using var device = new FileStream(DeviceKvm, FileMode.Open, FileAccess.ReadWrite);
            return null;
        }
        catch (FileNotFoundException)
        {
            return $"{DeviceKvm} does not exist (no hardware virtualisation, or the kvm module is not loaded)";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot open {DeviceKvm}: {e.Message}";
        }
    }

    /// <summary>Boots <paramref name="linuxKernel"/> under KVM; null when it booted, else what went wrong.</summary>
    public static async Task<string?> BootProblemAsync(string qemu, string linuxKernel, TimeSpan deadline, CancellationToken ct)
    {
        var info = new ProcessStartInfo(qemu)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            "-nodefaults", "-no-user-config", "-M", "pc", .. QemuCommand.AcceleratorArgs(VmAccelerator.Kvm), "-m", $"{ProbeMemoryMb}",
            "-display", "none", "-serial", "stdio", "-no-reboot", "-kernel", linuxKernel,
            "-append", "console=ttyS0 panic=-1 root=/dev/canopy-kvm-probe",
        ];
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"cannot start {qemu}: {e.Message}";
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            return $"a Linux kernel did not boot under KVM within {deadline.TotalSeconds:0} s (nested virtualisation?){LastLine(output)}";
        }

        // Let the asynchronous readers drain what the process wrote last.
        process.WaitForExit();
        var text = Text(output);
        return text.Contains(BootedMark, StringComparison.Ordinal)
            ? null
            : $"QEMU ended (exit code {process.ExitCode}) before a Linux kernel had booted under KVM{LastLine(output)}";
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            // The boot's last lines are what tell; keep the memory of a chatty kernel bounded.
            if (output.Length > 64 * 1024)
            {
                output.Remove(0, output.Length - 16 * 1024);
            }

            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static string LastLine(StringBuilder output)
    {
        var last = Text(output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return last is null ? "" : $"; its last output: {last}";
    }
}
