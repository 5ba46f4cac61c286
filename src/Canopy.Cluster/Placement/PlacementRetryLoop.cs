using Canopy.Cluster.Instances;
using Canopy.Cluster.Storage;
using Canopy.Core.States;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Placement;

/// <summary>
/// Tries again, every <see cref="ClusterOptions.RetryInterval"/> or when kicked, to place the instances that wait for a worker;
/// one that waited <see cref="ClusterOptions.HandBackAfter"/> goes back to the root. The root sends it back here when no other
/// cluster can take it; it then stays and waits for a worker until <see cref="HandBackMemory"/> has passed.
/// </summary>
internal sealed partial class PlacementRetryLoop(
    ClusterGate gate, IClusterStore store, ClusterScheduler scheduler, InstanceTracker tracker, SchedulerSignal signal,
    ClusterReadiness readiness, ClusterOptions options, TimeProvider time, ILogger<PlacementRetryLoop> logger) : BackgroundService
{
    public static readonly TimeSpan HandBackMemory = TimeSpan.FromSeconds(60);

    // In memory: a restarted cluster gives each waiting instance a full HandBackAfter again, which only delays a hand-back.
    private readonly Dictionary<(string ServiceId, int Number), DateTimeOffset> _waitingSince = [];
    private readonly Dictionary<(string ServiceId, int Number), DateTimeOffset> _handedBack = [];

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
        var now = time.GetUtcNow();
        var waiting = new HashSet<(string, int)>();
        var pending = (await store.ListInstancesAsync(ct)).Where(i => !i.Deleting && ClusterScheduler.IsWaitingForPlacement(i.Status)).ToList();
        foreach (var placed in pending.Count > 0 ? await scheduler.PlaceAllAsync(pending, ct) : [])
        {
            var key = (placed.ServiceId, placed.InstanceNumber);
            if (!placed.Status.IsNegativeScheduling())
            {
                continue;
            }

            waiting.Add(key);
            var since = _waitingSince.TryAdd(key, now) ? now : _waitingSince[key];
            if (now - since >= options.HandBackAfter && readiness.ConnectedToRoot &&
                !(_handedBack.TryGetValue(key, out var handedBack) && now - handedBack < HandBackMemory))
            {
                await tracker.HandBackAsync(placed, $"handed back by cluster {options.Name} after {(now - since).TotalSeconds:0} s: {placed.Detail}", ct);
                _handedBack[key] = now;
                waiting.Remove(key);
            }
        }

        foreach (var key in _waitingSince.Keys.Where(k => !waiting.Contains(k)).ToList())
        {
            _waitingSince.Remove(key);
        }

        foreach (var key in _handedBack.Where(p => now - p.Value >= HandBackMemory).Select(p => p.Key).ToList())
        {
            _handedBack.Remove(key);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RetryLoopFailed, Level = LogLevel.Error, Message = "Retrying placements failed")]
        public static partial void Failed(ILogger logger, Exception error);
    }
}
