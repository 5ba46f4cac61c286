using Canopy.Cluster.Instances;
using Canopy.Cluster.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Placement;

/// <summary>Tries again, every <see cref="ClusterOptions.RetryInterval"/> or when kicked, to place the instances that wait for a worker.</summary>
internal sealed partial class PlacementRetryLoop(
    ClusterGate gate, IClusterStore store, ClusterScheduler scheduler, SchedulerSignal signal, ClusterOptions options,
    ILogger<PlacementRetryLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await signal.WaitAsync(options.RetryInterval, stoppingToken);
            try
            {
                await gate.RunAsync(() => RetryAsync(stoppingToken), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.Failed(logger, e);
            }
        }
    }

    private async Task RetryAsync(CancellationToken ct)
    {
        foreach (var instance in await store.ListInstancesAsync(ct))
        {
            if (!instance.Deleting && ClusterScheduler.IsWaitingForPlacement(instance.Status))
            {
                await scheduler.PlaceAsync(instance, ct);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RetryLoopFailed, Level = LogLevel.Error, Message = "Retrying placements failed")]
        public static partial void Failed(ILogger logger, Exception error);
    }
}
