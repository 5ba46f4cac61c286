using System.Globalization;
using Canopy.Contracts.Link;
using Canopy.Core.States;
using Canopy.Root.ClusterLinks;
using Canopy.Root.Deployments;
using Canopy.Root.Networking;
using Canopy.Root.Replicas;
using Canopy.Root.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Placement;

/// <summary>
/// Moves the instances of a cluster that has been inactive for longer than <see cref="RootOptions.ClusterGracePeriod"/>: each
/// goes back to <c>REQUESTED</c> without a cluster and the <see cref="RootScheduler"/> places it on an active one. When the
/// cluster returns, its hello reports the moved instances, which the root no longer places there, so it is told to undeploy
/// them (<see cref="LinkMessageHandler"/>). The record stays one per instance, so a moved instance is never counted twice.
/// </summary>
internal sealed partial class ClusterFailover(
    IRootStore store, LinkHub hub, RootScheduler scheduler, NetTableRelay relay, RootLeadership leadership, RootOptions options,
    TimeProvider time, ILogger<ClusterFailover> log)
    : BackgroundService
{
    /// <summary>A quarter of the grace period, between 100 ms and 1 s: a move happens soon after the grace period ends.</summary>
    public TimeSpan CheckInterval { get; } =
        TimeSpan.FromTicks(Math.Clamp(options.ClusterGracePeriod.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(1).Ticks));

    // Only the leader moves instances: every replica sees the same silent cluster, and each would move them.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leadership.RunWhileLeaderAsync(CheckWhileLeaderAsync, stoppingToken);

    private async Task CheckWhileLeaderAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(CheckInterval, time);
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                await CheckAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                CheckFailed(e);
            }
        }
    }

    /// <summary>One check of every cluster. Internal so tests can drive it directly.</summary>
    internal async Task CheckAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var moved = 0;
        Dictionary<string, ServiceRecord>? services = null;
        foreach (var cluster in await store.ListClustersAsync(ct))
        {
            if (hub.InactiveSince(cluster) is not { } since || now - since < options.ClusterGracePeriod)
            {
                continue;
            }

            var away = (int)(now - since).TotalSeconds;
            services ??= (await store.ListServicesAsync(null, ct)).ToDictionary(s => s.Id);
            foreach (var instance in await store.ListInstancesOnClusterAsync(cluster.Id, ct))
            {
                if (instance.Deleting)
                {
                    // Nobody will confirm the removal; if the cluster comes back, the root no longer knows it and undeploys it.
                    await store.RemoveInstanceAsync(instance.ServiceId, instance.InstanceNumber, ct);
                    RemovedWithCluster(instance.ServiceId, instance.InstanceNumber, cluster.Name);
                    continue;
                }

                if (instance.Status.IsTerminal() || HasEnded(instance, services.GetValueOrDefault(instance.ServiceId)))
                {
                    continue;
                }

                if (await MoveAsync(cluster, instance, away, now, ct))
                {
                    moved++;
                }
            }
        }

        if (moved > 0)
        {
            scheduler.Wake();
            relay.Changed();
        }
    }

    /// <summary>DEAD under restart policy <c>never</c> is the end of it: moving it would start it again elsewhere.</summary>
    private static bool HasEnded(InstanceRecord instance, ServiceRecord? service) =>
        instance.Status == InstanceStatus.Dead && service is not null &&
        ServiceSpecs.Read(service).RestartPolicyOrDefault() == RestartPolicy.Never;

    private async Task<bool> MoveAsync(ClusterRecord cluster, InstanceRecord instance, int away, DateTimeOffset now, CancellationToken ct)
    {
        var moved = false;
        await store.UpdateInstanceAsync(instance.ServiceId, instance.InstanceNumber, current =>
        {
            // Re-checked inside the write: a report or a delete may have come since the list was read.
            if (current.ClusterId != cluster.Id || current.Deleting || current.Status.IsTerminal())
            {
                return null;
            }

            if (!InstanceTransitions.IsAllowed(current.Status, InstanceStatus.Requested))
            {
                TransitionRefused(current.ServiceId, current.InstanceNumber, current.Status);
                return null;
            }

            moved = true;
            return current with
            {
                Status = InstanceStatus.Requested,
                StatusDetail = $"rescheduled: cluster {cluster.Name} unreachable for {away.ToString(CultureInfo.InvariantCulture)} s",
                ClusterId = null,
                NodeId = null,
                NodeName = null,
                HostIp = null,
                InstanceIp = null,
                HostPort = null,
                Pid = null,
                CpuPercent = 0,
                Memory = 0,
                MemoryPercent = 0,
                UpdatedAt = now,
            };
        }, ct);
        if (moved)
        {
            // A cluster that is linked but silent may still hear this; one that is gone hears it in reply to its hello.
            hub.TrySend(cluster.Id, LinkMessageTypes.Undeploy, new UndeployInstance(instance.ServiceId, instance.InstanceNumber));
            Rescheduling(instance.ServiceId, instance.InstanceNumber, cluster.Name, away);
        }

        return moved;
    }

    [LoggerMessage(EventId = 1441, Level = LogLevel.Warning,
        Message = "Instance {ServiceId}/{InstanceNumber} leaves cluster {Cluster}, unreachable for {Seconds} s; placing it elsewhere")]
    private partial void Rescheduling(string serviceId, int instanceNumber, string cluster, int seconds);

    [LoggerMessage(EventId = 1442, Level = LogLevel.Information,
        Message = "Instance {ServiceId}/{InstanceNumber} being removed is forgotten: its cluster {Cluster} is unreachable")]
    private partial void RemovedWithCluster(string serviceId, int instanceNumber, string cluster);

    [LoggerMessage(EventId = 1443, Level = LogLevel.Warning, Message = "Refused move of {ServiceId}/{InstanceNumber}: {From} -> REQUESTED")]
    private partial void TransitionRefused(string serviceId, int instanceNumber, InstanceStatus from);

    [LoggerMessage(EventId = 1444, Level = LogLevel.Error, Message = "Cluster failover check failed; retrying")]
    private partial void CheckFailed(Exception e);
}
