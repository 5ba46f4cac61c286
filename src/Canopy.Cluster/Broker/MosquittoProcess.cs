using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Broker;

/// <summary>
/// The Mosquitto child process: started with the generated config, reloaded with SIGHUP, stopped with SIGTERM then SIGKILL,
/// restarted if it dies on its own. Never outlives the cluster: it gets SIGTERM when the cluster dies (even by SIGKILL), and a
/// pid file lets the next start kill what a crash left behind anyway.
/// </summary>
internal sealed partial class MosquittoProcess(MosquittoFiles files, ClusterOptions options, ILogger<MosquittoProcess> logger) : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(3);

    private readonly Lock _lock = new();
    private readonly List<string> _stderr = [];
    private Process? _process;
    private volatile bool _stopping;

    private MqttBrokerOptions Broker => options.Mqtt;

    public int? Pid
    {
        get
        {
            lock (_lock)
            {
                return _process is { HasExited: false } p ? p.Id : null;
            }
        }
    }

    /// <summary>The length of the broker's log when this broker started: what it logs from there on is about its current clients.</summary>
    public long LogStart { get; private set; }

    /// <summary>Where the cluster itself connects: the listen address, or loopback when the broker listens on every address.</summary>
    public string ConnectHost => Broker.ListenHost is "" or "0.0.0.0" or "::" or "[::]" ? "127.0.0.1" : Broker.ListenHost;

    public async Task StartAsync(CancellationToken ct)
    {
        var executable = BrokerHost.LocateExecutable(Broker.MosquittoPath)
            ?? throw new BrokerStartException("mosquitto not found: apt-get install mosquitto (or ./canopy up installs it)");
        _stopping = false;
        if (await BrokerHost.KillStaleAsync(files, StopGrace, ct) is { } stale)
        {
            Log.StaleKilled(logger, stale);
        }

        BrokerHost.EnsurePortFree(Broker);

        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
        };
        LogStart = File.Exists(files.LogFile) ? new FileInfo(files.LogFile).Length : 0;
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(files.Config);

        Log.Starting(logger, executable, Broker.ListenHost, Broker.Port);
        var process = new Process { StartInfo = ParentBoundLauncher.Bind(start), EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => OnOutput(e.Data);
        process.Exited += (_, _) => OnExited(process);
        if (!await ParentBoundLauncher.StartAsync(process))
        {
            throw new BrokerStartException($"could not start {executable}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_lock)
        {
            _process = process;
        }

        AppDomain.CurrentDomain.ProcessExit -= KillOnProcessExit;
        AppDomain.CurrentDomain.ProcessExit += KillOnProcessExit;
        await File.WriteAllTextAsync(files.PidFile, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        await WaitUntilAcceptingAsync(process, ct);
        Log.Ready(logger, process.Id, Broker.ListenHost, Broker.Port);
    }

    /// <summary>Makes Mosquitto re-read its password and ACL files. False when it is not running.</summary>
    public bool Reload() => Pid is { } pid && PosixSignals.Send(pid, PosixSignals.SigHup);

    public async Task StopAsync(CancellationToken ct)
    {
        _stopping = true;
        Process? process;
        lock (_lock)
        {
            process = _process;
            _process = null;
        }

        AppDomain.CurrentDomain.ProcessExit -= KillOnProcessExit;
        if (process is null)
        {
            return;
        }

        using (process)
        {
            if (!process.HasExited)
            {
                PosixSignals.Send(process.Id, PosixSignals.SigTerm);
                using var grace = CancellationTokenSource.CreateLinkedTokenSource(ct);
                grace.CancelAfter(StopGrace);
                try
                {
                    await process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    // It ignored SIGTERM (or the host is in a hurry): it must not outlive us.
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None);
                }
            }

            Log.Stopped(logger, process.Id);
        }

        File.Delete(files.PidFile);
    }

    public void Dispose()
    {
        _stopping = true;
        lock (_lock)
        {
            if (_process is { HasExited: false } p)
            {
                p.Kill(entireProcessTree: true);
            }

            _process?.Dispose();
            _process = null;
        }

        AppDomain.CurrentDomain.ProcessExit -= KillOnProcessExit;
    }

    private void KillOnProcessExit(object? sender, EventArgs e) => Dispose();

    private void OnOutput(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        lock (_stderr)
        {
            _stderr.Add(line);
            if (_stderr.Count > 20)
            {
                _stderr.RemoveAt(0);
            }
        }

        Log.Output(logger, line);
    }

    private void OnExited(Process process)
    {
        if (_stopping)
        {
            return;
        }

        lock (_lock)
        {
            if (!ReferenceEquals(_process, process))
            {
                return;
            }
        }

        Log.ExitedUnexpectedly(logger, process.ExitCode, Explain());
        _ = RestartAsync();
    }

    /// <summary>Nodes cannot talk to the cluster without the broker, so a crashed one is started again.</summary>
    private async Task RestartAsync()
    {
        for (var attempt = 1; !_stopping; attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 10)));
            if (_stopping)
            {
                return;
            }

            try
            {
                lock (_lock)
                {
                    _process?.Dispose();
                    _process = null;
                }

                await StartAsync(CancellationToken.None);
                return;
            }
            catch (Exception e) when (e is BrokerStartException or IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                Log.RestartFailed(logger, e, attempt);
            }
        }
    }

    private async Task WaitUntilAcceptingAsync(Process process, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                var why = Explain();
                throw why.Contains("Address already in use", StringComparison.OrdinalIgnoreCase)
                    ? BrokerHost.PortInUse(Broker)
                    : new BrokerStartException($"mosquitto exited at start (code {process.ExitCode}): {why}");
            }

            using var client = new TcpClient();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attempt.CancelAfter(TimeSpan.FromMilliseconds(500));
            try
            {
                await client.ConnectAsync(ConnectHost, Broker.Port, attempt.Token);
                return;
            }
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                if (started.Elapsed > ReadyTimeout)
                {
                    throw new BrokerStartException(
                        $"mosquitto did not accept connections on {ConnectHost}:{Broker.Port} within {ReadyTimeout.TotalSeconds} s: {Explain()}");
                }

                // The broker needs a few milliseconds to open its listener; poll, with the deadline above.
                await Task.Delay(50, ct);
            }
        }
    }

    private string Explain()
    {
        string stderr;
        lock (_stderr)
        {
            stderr = string.Join('\n', _stderr);
        }

        var text = string.Join('\n', new[] { stderr, files.LogTail() }.Where(s => s.Length > 0));
        return text.Length == 0 ? $"no output; see {files.LogFile}" : text;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.BrokerStarting, Level = LogLevel.Information, Message = "Starting {Executable} on {Host}:{Port}")]
        public static partial void Starting(ILogger logger, string executable, string host, int port);

        [LoggerMessage(EventId = EventIds.BrokerReady, Level = LogLevel.Information, Message = "MQTT broker (mosquitto pid {Pid}) accepts connections on {Host}:{Port}")]
        public static partial void Ready(ILogger logger, int pid, string host, int port);

        [LoggerMessage(EventId = EventIds.BrokerStopped, Level = LogLevel.Information, Message = "MQTT broker (mosquitto pid {Pid}) stopped")]
        public static partial void Stopped(ILogger logger, int pid);

        [LoggerMessage(EventId = EventIds.BrokerExitedUnexpectedly, Level = LogLevel.Error, Message = "MQTT broker exited unexpectedly with code {Code}; restarting it. {Output}")]
        public static partial void ExitedUnexpectedly(ILogger logger, int code, string output);

        [LoggerMessage(EventId = EventIds.BrokerRestartFailed, Level = LogLevel.Error, Message = "Restarting the MQTT broker failed (attempt {Attempt})")]
        public static partial void RestartFailed(ILogger logger, Exception error, int attempt);

        [LoggerMessage(EventId = EventIds.BrokerStaleKilled, Level = LogLevel.Warning, Message = "Stopped mosquitto pid {Pid} left running by an earlier run of this cluster")]
        public static partial void StaleKilled(ILogger logger, int pid);

        [LoggerMessage(EventId = EventIds.BrokerOutput, Level = LogLevel.Debug, Message = "mosquitto: {Line}")]
        public static partial void Output(ILogger logger, string line);
    }
}
