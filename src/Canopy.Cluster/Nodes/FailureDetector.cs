using Canopy.Cluster.Instances;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Nodes;

/// <summary>Checks the nodes' heartbeats several times per timeout, so a silent node is noticed soon after it expires.</summary>
internal sealed partial class FailureDetector(ClusterGate gate, NodeHealth health, ClusterOptions options, TimeProvider time, ILogger<FailureDetector> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMilliseconds(500).Ticks, options.NodeHeartbeatTimeout.Ticks / 4));
        using var timer = new PeriodicTimer(period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await gate.RunAsync(() => health.CheckHeartbeatsAsync(stoppingToken), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.Failed(logger, e);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.HeartbeatCheckFailed, Level = LogLevel.Error, Message = "Checking node heartbeats failed")]
        public static partial void Failed(ILogger logger, Exception error);
    }
}
