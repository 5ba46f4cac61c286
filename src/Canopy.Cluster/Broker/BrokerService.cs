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
        await process.StopAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.BrokerExternal, Level = LogLevel.Information,
            Message = "Using the external MQTT broker at {Host}:{Port}; it must accept the node credentials this cluster hands out")]
        public static partial void External(ILogger logger, string host, int port);
    }
}
