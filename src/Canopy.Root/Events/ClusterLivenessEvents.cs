using Canopy.Contracts.Api;
using Canopy.Root.ClusterLinks;
using Canopy.Root.Replicas;
using Canopy.Root.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Events;

/// <summary>
/// Puts each change of a cluster's liveness at the root (linked and reporting, or not: <see cref="LinkHub.IsActive"/>) into the event
/// stream. The leader watches, as it holds the links; what the stream last said of each cluster is read from the store at each term,
/// so a new leader or a restarted root tells only real changes.
/// </summary>
internal sealed partial class ClusterLivenessEvents(
    IRootStore store, LinkHub hub, RootLeadership leadership, RootOptions options, IHostApplicationLifetime lifetime, TimeProvider time,
    ILogger<ClusterLivenessEvents> log)
    : BackgroundService
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A leader's first moments: its clusters are still linked to the previous leader, or on their way back to a restarted root; none of
    /// them is called inactive before this has passed since the term began.
    /// </summary>
    public TimeSpan Settle { get; } = options.ClusterHeartbeatTimeout < TimeSpan.FromSeconds(5) ? options.ClusterHeartbeatTimeout : TimeSpan.FromSeconds(5);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leadership.RunWhileLeaderAsync(WatchAsync, stoppingToken);

    private async Task WatchAsync(CancellationToken ct)
    {
        var termBegan = time.GetUtcNow();
        var told = new Dictionary<string, string>(await store.LatestClusterLivenessAsync(ct));
        using var timer = new PeriodicTimer(CheckInterval, time);
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                await CheckAsync(told, time.GetUtcNow() - termBegan >= Settle, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                CheckFailed(e);
            }
        }
    }

    private async Task CheckAsync(Dictionary<string, string> told, bool settled, CancellationToken ct)
    {
        foreach (var cluster in await store.ListClustersAsync(ct))
        {
            // A root that stops closes its links: that says nothing of the clusters.
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                return;
            }

            var active = hub.IsActive(cluster);
            var last = told.GetValueOrDefault(cluster.Id);
            string reason;
            if (active && last != FleetEventText.Active)
            {
                reason = last is null ? "linked to the root and reporting its resources" : "linked to the root and reporting again";
            }
            else if (!active && last == FleetEventText.Active && settled)
            {
                reason = hub.IsConnected(cluster.Id)
                    ? $"no resources report for over {options.ClusterHeartbeatTimeout.TotalSeconds:0.#} s"
                    : "its link to the root is down";
            }
            else
            {
                continue;
            }

            await store.AddEventAsync(new EventDocument
            {
                Time = time.GetUtcNow(),
                Kind = EventKinds.Cluster,
                Status = FleetEventText.Liveness(active),
                Reason = reason,
                ClusterId = cluster.Id,
                ClusterName = cluster.Name,
            }, ct);
            told[cluster.Id] = FleetEventText.Liveness(active);
        }
    }

    [LoggerMessage(EventId = 1902, Level = LogLevel.Warning, Message = "Checking cluster liveness for the event stream failed; trying again")]
    private partial void CheckFailed(Exception e);
}
