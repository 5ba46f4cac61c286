using System.Collections.Concurrent;
using Canopy.Cluster.Storage;
using Canopy.Contracts.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Nodes;

/// <summary>
/// Routine heartbeats (an active node's information that changes nothing but its figures) are written once a second for all nodes
/// in one transaction, instead of one write per message: with thousands of nodes each sending every 2 s, a transaction per
/// heartbeat was the cluster's largest idle cost. Liveness does not wait for these writes (<see cref="NodeLiveness"/> is in memory);
/// what a heartbeat changes that matters (a node becoming active, its runtimes, overlay or address) is written at once.
/// </summary>
internal sealed partial class HeartbeatWrites(IClusterStore store, ILogger<HeartbeatWrites> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private ConcurrentDictionary<string, (NodeInformation Information, DateTimeOffset Seen)> _pending = new(StringComparer.Ordinal);

    /// <summary>Keeps the latest heartbeat of <paramref name="nodeId"/> for the next write.</summary>
    public void Defer(string nodeId, NodeInformation information, DateTimeOffset seen) => _pending[nodeId] = (information, seen);

    /// <summary>A heartbeat written at once makes an older one waiting here obsolete.</summary>
    public void Forget(string nodeId) => _pending.TryRemove(nodeId, out _);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync writes the rest.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        if (_pending.IsEmpty)
        {
            return;
        }

        var batch = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<string, (NodeInformation Information, DateTimeOffset Seen)>(StringComparer.Ordinal));
        try
        {
            await store.SaveNodeInformationBatchAsync(batch.Select(p => (p.Key, p.Value.Information, p.Value.Seen)).ToList(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The next heartbeats come within seconds; liveness does not depend on these writes.
            Log.Failed(logger, e, batch.Count);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.HeartbeatWriteFailed, Level = LogLevel.Warning, Message = "Writing {Count} node heartbeats failed")]
        public static partial void Failed(ILogger logger, Exception error, int count);
    }
}
