using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Broker;

/// <summary>
/// Starts the cluster's Mosquitto before anything that needs it, and stops it last. Start fails, with a message saying what to do,
/// when the broker cannot run; with an external broker it only says so.
/// </summary>
internal sealed partial class BrokerService(
    MosquittoProcess process, MosquittoFiles files, BrokerUsers users, Tls.ClusterTls tls, ClusterOptions options, ILogger<BrokerService> logger)
    : IHostedService
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the broker accepts connections (at once with an external broker).</summary>
    public Task Ready => _ready.Task;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Mqtt.StartBroker)
        {
            Log.External(logger, options.Mqtt.ListenHost, options.Mqtt.Port);
            _ready.TrySetResult();
            return;
        }

        try
        {
            files.WriteConfig(options.Mqtt, options.Mqtt.Tls ? tls.Server : null);
            await users.WritePasswordFileAsync(cancellationToken);
            await process.StartAsync(cancellationToken);
            if (options.Mqtt.Tls)
            {
                // Mosquitto re-reads its certfile and keyfile on SIGHUP (mosquitto.conf(5), tested with 2.0.11): open connections,
                // and so the nodes and their instances, are untouched by a renewal.
                tls.Server.Renewed += ReloadBroker;
            }

            _ready.TrySetResult();
        }
        catch (Exception e)
        {
            _ready.TrySetException(e);
            await process.StopAsync(CancellationToken.None);
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _ready.TrySetCanceled(CancellationToken.None);
        tls.Server.Renewed -= ReloadBroker;
        await process.StopAsync(cancellationToken);
    }

    private void ReloadBroker(System.Security.Cryptography.X509Certificates.X509Certificate2 renewed) => process.Reload();

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.BrokerExternal, Level = LogLevel.Information,
            Message = "Using the external MQTT broker at {Host}:{Port}; it must accept the node credentials this cluster hands out")]
        public static partial void External(ILogger logger, string host, int port);
    }
}
