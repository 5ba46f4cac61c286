using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Broker.KeepAlive;

/// <summary>
/// Enforces MQTT keep-alives on the cluster's own broker within a fraction of a second: Mosquitto 2.0.11 (Debian 12) checks them
/// only every 5 s, which made a cut link take 1.5 × K to 1.5 × K + 6 s to notice. Every <see cref="MqttBrokerOptions.KeepAliveCheckInterval"/>
/// one kernel dump gives each broker socket's time since it last received data; a socket of a client (known from the broker's
/// log) silent for longer than MQTT allows is aborted in the kernel. Mosquitto sees its connection fail and publishes the
/// node's last will, which the cluster acts on as for any lost node (inactive, instances placed again). A node that was only
/// slow, or whose link heals, gets a RST on its next packet, reconnects and reports in full: active again, its duplicates
/// dropped by the inventory, as after any reconnect. Nothing here decides about nodes; it only does the broker's job sooner.
/// </summary>
internal sealed partial class KeepAliveWatch(MosquittoFiles files, MosquittoProcess broker, ClusterOptions options, ILogger<KeepAliveWatch> logger)
    : BackgroundService
{
    private const int Eperm = 1;
    private const int Eopnotsupp = 95;

    private readonly BrokerClients _clients = new();
    private bool _stalled;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var mqtt = options.Mqtt;
        if (!mqtt.WatchKeepAlives || !mqtt.StartBroker)
        {
            return;
        }

        if (!OperatingSystem.IsLinux())
        {
            Log.Off(logger, "socket diagnostics are Linux only");
            return;
        }

        // Start after the host so the broker (started by BrokerService) has logged its start; its clients come after.
        await Task.Yield();
        var log = new LogTail(files.LogFile, broker.LogStart);
        SocketDiagnostics? kernel = null;
        using var timer = new PeriodicTimer(mqtt.KeepAliveCheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (kernel is null)
                {
                    kernel = SocketDiagnostics.TryOpen(out var errno);
                    if (kernel is null)
                    {
                        Log.Off(logger, $"the kernel refused a socket diagnostics socket (errno {errno})");
                        return;
                    }
                }

                try
                {
                    foreach (var line in log.ReadNew())
                    {
                        _clients.Read(line);
                    }

                    if (!Check(kernel))
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Never the cluster's end (a hosted service's exception stops the host). A dump cut short leaves answers behind in
                    // the socket: start the next one on a fresh socket.
                    Log.Failed(logger, e);
                    kernel.Dispose();
                    kernel = null;
                }
            }
        }
        finally
        {
            kernel?.Dispose();
        }
    }

    /// <summary>One look at every socket; false when this kernel or user cannot abort sockets (then the broker's check remains).</summary>
    private bool Check(SocketDiagnostics kernel)
    {
        if (_clients.Count == 0)
        {
            return true;
        }

        var watched = new List<(BrokerSocket Socket, BrokerClient Client)>();
        foreach (var socket in kernel.Established(options.Mqtt.Port))
        {
            if (_clients.At(socket.Remote) is { KeepAliveSeconds: > 0 } client)
            {
                watched.Add((socket, client));
            }
        }

        var late = watched.Count(w => KeepAliveRule.IsLate(w.Socket.SinceLastData, w.Client.KeepAliveSeconds));
        if (KeepAliveRule.LooksLikeAStall(late, watched.Count))
        {
            if (!_stalled)
            {
                Log.Stall(logger, late, watched.Count);
            }

            _stalled = true;
            return true;
        }

        _stalled = false;
        foreach (var (socket, client) in watched)
        {
            if (!KeepAliveRule.IsOverdue(socket.SinceLastData, client.KeepAliveSeconds, options.Mqtt.KeepAliveGrace))
            {
                continue;
            }

            var error = kernel.Destroy(socket);
            if (error is Eperm or Eopnotsupp)
            {
                Log.Off(logger, error == Eperm
                    ? "closing a socket needs CAP_NET_ADMIN (run the cluster as root)"
                    : "this kernel cannot close sockets (CONFIG_INET_DIAG_DESTROY)");
                return false;
            }

            if (error == 0)
            {
                Log.Expired(logger, client.User ?? client.ClientId, socket.Remote.ToString(), socket.SinceLastData.TotalSeconds, client.KeepAliveSeconds);
            }
        }

        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.KeepAliveExpired, Level = LogLevel.Warning,
            Message = "MQTT client {Client} ({Remote}) sent nothing for {Seconds:0.00} s (keep-alive {KeepAlive} s): its connection is closed, its last will follows")]
        public static partial void Expired(ILogger logger, string client, string remote, double seconds, int keepAlive);

        [LoggerMessage(EventId = EventIds.KeepAliveWatchOff, Level = LogLevel.Information,
            Message = "Keep-alives are left to the broker's own check (every 5 s in Mosquitto 2.0): {Reason}")]
        public static partial void Off(ILogger logger, string reason);

        [LoggerMessage(EventId = EventIds.KeepAliveStall, Level = LogLevel.Warning,
            Message = "{Late} of {Watched} MQTT clients are late at once: taken for a stall (paused machine, overloaded simulator), not cut links; the broker's own keep-alive check decides for them")]
        public static partial void Stall(ILogger logger, int late, int watched);

        [LoggerMessage(EventId = EventIds.KeepAliveWatchFailed, Level = LogLevel.Warning, Message = "Looking at the broker's sockets failed; trying again")]
        public static partial void Failed(ILogger logger, Exception error);
    }
}
