using Canopy.Contracts.Link;
using Canopy.Root.ClusterLinks;
using Canopy.Root.Networking;
using Canopy.Root.Placement;
using Canopy.Root.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Replicas;

/// <summary>
/// What a replica does when it becomes leader and when it stops: counts the clusters' absence from its own term (they were
/// linked to the previous leader), sends the undeploys that followers stored meanwhile, acts on what followers tell it, and
/// closes every cluster link the moment its term ends (the clusters go to the next leader).
/// </summary>
internal sealed partial class LeaderDuties(
    RootLeadership leadership, LinkHub hub, RootScheduler scheduler, NetTableRelay relay, IRootStore store, ILogger<LeaderDuties> log)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leadership.RunWhileLeaderAsync(LeadAsync, stoppingToken);

    private async Task LeadAsync(CancellationToken ct)
    {
        hub.BeginTerm();
        leadership.News += OnNews;
        try
        {
            await SendStoredUndeploysAsync(ct);
            await Task.Delay(Timeout.Infinite, ct);
        }
        finally
        {
            leadership.News -= OnNews;
            hub.CloseAll("this root replica no longer leads: connect to the leader");
        }
    }

    private void OnNews(string news)
    {
        relay.Changed();
        switch (news)
        {
            case LeaderNews.Place:
                scheduler.Wake();
                break;
            case LeaderNews.Undeploy:
                _ = SendStoredUndeploysSafelyAsync();
                break;
        }
    }

    private async Task SendStoredUndeploysSafelyAsync()
    {
        try
        {
            await SendStoredUndeploysAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SweepFailed(e);
        }
    }

    /// <summary>Instances marked for deletion on a linked cluster get their undeploy (again: a cluster takes it twice).</summary>
    private async Task SendStoredUndeploysAsync(CancellationToken ct)
    {
        foreach (var instance in await store.ListInstancesAsync(null, ct))
        {
            if (instance is { Deleting: true, ClusterId: { } cluster } && hub.IsConnected(cluster))
            {
                hub.TrySend(cluster, LinkMessageTypes.Undeploy, new UndeployInstance(instance.ServiceId, instance.InstanceNumber));
            }
        }
    }

    [LoggerMessage(EventId = 1711, Level = LogLevel.Error, Message = "Sending the stored undeploys failed; the clusters' next hello sends them")]
    private partial void SweepFailed(Exception e);
}
