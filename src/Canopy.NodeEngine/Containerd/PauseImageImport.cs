using System.Diagnostics;
using System.Runtime.InteropServices;
using Canopy.Cri;
using Canopy.NodeEngine.Linux;
using Canopy.NodeEngine.Monitoring;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Containerd;

/// <summary>
/// Puts <see cref="ContainerdConfig.PauseImage"/> into Canopy's own containerd: every pod needs it, and a node may
/// have no registry that has one. <c>ctr</c> imports it into the <c>k8s.io</c> namespace, the only one CRI sees.
/// </summary>
internal static class PauseImageImport
{
    private static readonly TimeSpan ImportTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Builds and imports the pause image when containerd does not have it (first start, or after its root was wiped).</summary>
    public static async Task EnsureAsync(
        CriClient client, ContainerdPaths paths, string containerdPath, string busyboxPath, ILogger log, CancellationToken ct)
    {
        if (await client.ImageStatusAsync(ContainerdConfig.PauseImage, ct).ConfigureAwait(false) is not null)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        if (PauseImage.Problem(busyboxPath) is { } problem)
        {
            throw new ContainerdUnavailableException(problem);
        }

        var ctr = Executables.FindBeside(containerdPath, "ctr") ??
                  throw new ContainerdUnavailableException("ctr (Debian package containerd) is missing: the pause image cannot be imported");
        PauseImage.WriteArchive(busyboxPath, NodeFacts.ArchitectureName(RuntimeInformation.OSArchitecture), paths.PauseArchive);
        try
        {
            await RunCtrAsync(ctr, ["-a", paths.Socket, "-n", "k8s.io", "images", "import", paths.PauseArchive], ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(paths.PauseArchive);
        }

        if (await client.ImageStatusAsync(ContainerdConfig.PauseImage, ct).ConfigureAwait(false) is null)
        {
            throw new ContainerdUnavailableException($"the pause image was imported but containerd does not list {ContainerdConfig.PauseImage}");
        }

        ContainerdLog.PauseImported(log, ContainerdConfig.PauseImage, busyboxPath, ElapsedMs(started));
    }

    private static async Task RunCtrAsync(string ctr, IEnumerable<string> args, CancellationToken ct)
    {
        var info = new ProcessStartInfo(ctr)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new ContainerdUnavailableException("ctr did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ImportTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new ContainerdUnavailableException($"ctr images import did not finish within {ImportTimeout.TotalSeconds} s");
        }

        if (process.ExitCode != 0)
        {
            throw new ContainerdUnavailableException(
                $"ctr images import failed (exit {process.ExitCode}): {(await stderr.ConfigureAwait(false)).Trim()} {(await stdout.ConfigureAwait(false)).Trim()}");
        }
    }

    private static long ElapsedMs(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
