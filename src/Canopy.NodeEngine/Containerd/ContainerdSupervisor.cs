using System.Diagnostics;
using Canopy.Cri;
using Canopy.NodeEngine.Linux;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.Containerd;

/// <summary>
/// Gets this node a containerd that answers CRI: Canopy's own (config, registry hosts and pause image under
/// <c>&lt;DataDir&gt;/containerd/</c>, started detached, re-used across node engine restarts) or the operator's
/// (<see cref="NodeEngineOptions.ContainerdSocket"/>: only checked, never configured). Canopy's own containerd is
/// stopped with the node engine only when <see cref="NodeEngineOptions.StopInstancesOnShutdown"/> is set; otherwise
/// the containers must outlive the node engine, and so must their containerd.
/// </summary>
public sealed class ContainerdSupervisor : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReuseProbe = TimeSpan.FromSeconds(5);

    private readonly NodeEngineOptions _options;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string? _containerdPath;
    private CriClient? _client;
    private int _disposed;

    public ContainerdSupervisor(NodeEngineOptions options, ILogger<ContainerdSupervisor>? logger = null)
    {
        _options = options;
        _log = logger ?? (ILogger)NullLogger.Instance;
        Paths = new ContainerdPaths(options.ContainerdDir);
        if (options.ContainerdSocket is { Length: > 0 } socket)
        {
            Mode = ContainerdMode.External;
            SocketPath = socket;
        }
        else if (!options.StartContainerd)
        {
            Mode = ContainerdMode.Disabled;
            DisabledReason = "no containerd socket is configured and starting containerd is turned off";
        }
        else if ((_containerdPath = Executables.Find(options.ContainerdPath)) is null)
        {
            Mode = ContainerdMode.Disabled;
            DisabledReason = $"containerd ('{options.ContainerdPath}') is not installed (Debian packages containerd, runc, containernetworking-plugins)";
        }
        else if (PauseImage.Problem(options.BusyboxPath) is { } problem)
        {
            // Said once, here: retrying cannot fix it, and every pod would die with a cryptic runc error.
            Mode = ContainerdMode.Disabled;
            DisabledReason = problem;
            ContainerdLog.Unusable(_log, problem);
            return;
        }
        else
        {
            Mode = ContainerdMode.Own;
            SocketPath = Paths.Socket;
        }

        if (DisabledReason is not null)
        {
            ContainerdLog.Disabled(_log, DisabledReason);
        }
    }

    public ContainerdMode Mode { get; }

    /// <summary>The CRI socket in use; null when <see cref="Mode"/> is <see cref="ContainerdMode.Disabled"/>.</summary>
    public string? SocketPath { get; }

    /// <summary>Why there is no containerd at all; null unless <see cref="Mode"/> is <see cref="ContainerdMode.Disabled"/>.</summary>
    public string? DisabledReason { get; }

    internal ContainerdPaths Paths { get; }

    /// <summary>
    /// Makes sure containerd answers CRI (starting or restarting Canopy's own when needed, importing its pause image)
    /// and returns the client to call it with. Throws <see cref="ContainerdUnavailableException"/> saying why not.
    /// </summary>
    public async Task<CriClient> EnsureRunningAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return Mode switch
            {
                ContainerdMode.Own => await EnsureOwnAsync(ct).ConfigureAwait(false),
                ContainerdMode.External => await ConnectExternalAsync(ct).ConfigureAwait(false),
                _ => throw new ContainerdUnavailableException(DisabledReason ?? "containerd is disabled"),
            };
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<CriClient> EnsureOwnAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var configChanged = PrepareFiles();
        var client = _client ??= new CriClient(Paths.Socket, CallTimeout);
        if (ContainerdProcess.FindRunning(Paths) is { } running)
        {
            if (configChanged)
            {
                ContainerdLog.ConfigChanged(_log, running);
                await ContainerdProcess.StopAsync(running, TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
            }
            else if (await WaitForVersionAsync(client, running, ReuseProbe, ct).ConfigureAwait(false) is { } version)
            {
                ContainerdLog.Ready(_log, version, Paths.Socket, running, "re-used", ElapsedMs(started));
                await PauseImageImport.EnsureAsync(client, Paths, _containerdPath!, _options.BusyboxPath, _log, ct).ConfigureAwait(false);
                return client;
            }
            else
            {
                ContainerdLog.Stale(_log, running, Paths.Socket);
                await ContainerdProcess.StopAsync(running, TimeSpan.Zero, ct).ConfigureAwait(false);
            }
        }

        if (Paths.Socket.Length > ContainerdPaths.MaxSocketPath)
        {
            throw new ContainerdUnavailableException(
                $"the containerd socket path {Paths.Socket} is longer than a unix socket allows ({ContainerdPaths.MaxSocketPath} bytes): use a shorter data dir");
        }

        ContainerdLog.Starting(_log, _containerdPath!, Paths.Config, Paths.Log);
        var pid = await ContainerdProcess.StartAsync(_containerdPath!, Paths, ct).ConfigureAwait(false);
        var answered = await WaitForVersionAsync(client, pid, StartTimeout, ct).ConfigureAwait(false) ??
                       throw new ContainerdUnavailableException(
                           $"containerd (pid {pid}) did not answer on {Paths.Socket} within {StartTimeout.TotalSeconds} s; " +
                           $"its log {Paths.Log} ends: {ContainerdProcess.LogTail(Paths.Log)}");
        ContainerdLog.Ready(_log, answered, Paths.Socket, pid, "started", ElapsedMs(started));
        await PauseImageImport.EnsureAsync(client, Paths, _containerdPath!, _options.BusyboxPath, _log, ct).ConfigureAwait(false);
        return client;
    }

    private async Task<CriClient> ConnectExternalAsync(CancellationToken ct)
    {
        var socket = SocketPath!;
        if (!File.Exists(socket))
        {
            throw new ContainerdUnavailableException($"containerd is not running: its socket {socket} does not exist");
        }

        var client = _client ??= new CriClient(socket, CallTimeout);
        try
        {
            var version = await client.VersionAsync(ct).ConfigureAwait(false);
            ContainerdLog.External(_log, $"{version.RuntimeName} {version.RuntimeVersion}", socket);
            return client;
        }
        catch (CriException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            throw new ContainerdUnavailableException(
                $"containerd on {socket} answers but its CRI plugin is not loaded ({e.Detail}); enable io.containerd.grpc.v1.cri in its config", e);
        }
        catch (Exception e) when (e is not ContainerdUnavailableException && !ct.IsCancellationRequested)
        {
            throw new ContainerdUnavailableException($"containerd is not running: {socket} does not answer ({e.Message})", e);
        }
    }

    /// <summary>Writes config.toml and the registry hosts file; true when the config differs from the one containerd may run with.</summary>
    private bool PrepareFiles()
    {
        foreach (var dir in new[] { Paths.Dir, Paths.CniConfDir, Paths.CniIpamDir, Path.GetDirectoryName(Paths.HostsToml(ContainerdConfig.LocalRegistry))! })
        {
            Directory.CreateDirectory(dir);
        }

        // Read per pull by containerd: no restart needed when it changes.
        WriteIfChanged(Paths.HostsToml(ContainerdConfig.LocalRegistry), ContainerdConfig.RenderLocalRegistryHosts());
        return WriteIfChanged(Paths.Config, ContainerdConfig.Render(Paths));
    }

    /// <summary>Polls Version until it answers (its version text), the process is gone, or <paramref name="timeout"/> passed (null).</summary>
    private async Task<string?> WaitForVersionAsync(CriClient client, int pid, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (!ContainerdProcess.IsAlive(pid))
            {
                throw new ContainerdUnavailableException(
                    $"containerd (pid {pid}) exited; its log {Paths.Log} ends: {ContainerdProcess.LogTail(Paths.Log)}");
            }

            if (File.Exists(Paths.Socket))
            {
                try
                {
                    using var call = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    call.CancelAfter(TimeSpan.FromSeconds(2));
                    var version = await client.VersionAsync(call.Token).ConfigureAwait(false);
                    return $"{version.RuntimeName} {version.RuntimeVersion}";
                }
                catch (CriException e) when (e.StatusCode == StatusCode.Unimplemented)
                {
                    throw new ContainerdUnavailableException(
                        $"containerd answers on {Paths.Socket} but its CRI plugin is not loaded ({e.Detail}); " +
                        $"check {Paths.Config} and the warnings in {Paths.Log}", e);
                }
                catch (Exception e) when (e is not ContainerdUnavailableException && !ct.IsCancellationRequested)
                {
                    // Not listening yet.
                }
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                return null;
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    private static bool WriteIfChanged(string path, string content)
    {
        if (File.Exists(path) && File.ReadAllText(path) == content)
        {
            return false;
        }

        var temp = path + ".tmp";
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
        return true;
    }

    private static long ElapsedMs(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>Leaves containerd running (the containers outlive the node engine) unless the node stops its instances with it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (Mode == ContainerdMode.Own && _options.StopInstancesOnShutdown && ContainerdProcess.FindRunning(Paths) is { } pid)
        {
            ContainerdLog.Stopping(_log, pid);
            await ContainerdProcess.StopAsync(pid, TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
        }

        _client?.Dispose();
        _gate.Dispose();
    }

    /// <summary>For a host disposed synchronously (the container refuses async-only singletons there).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
