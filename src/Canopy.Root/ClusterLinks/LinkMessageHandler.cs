using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Core.States;
using Canopy.Root.Deployments;
using Canopy.Root.Monitoring;
using Canopy.Root.Networking;
using Canopy.Root.Placement;
using Canopy.Root.Store;
using Canopy.Root.Vault;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.ClusterLinks;

/// <summary>What the root does with each message a cluster sends (see docs/architecture.md "Root ⇄ cluster").</summary>
internal sealed partial class LinkMessageHandler(
    IRootStore store, LinkHub hub, RootScheduler scheduler, PlacementRefusals refusals, InstanceHistory history, ClusterSubnetBlocks blocks,
    NetTableRelay relay, SecretVault vault, TimeProvider time, Metrics.RootMetrics metrics, ILogger<LinkMessageHandler> log)
{
    private enum Outcome
    {
        Applied,
        HandedBack,
        Refused,
        NotOurs,
        RemovalConfirmed,
        ActiveWhileDeleting,
    }

    public async Task HandleAsync(ClusterConnection link, LinkMessage message, CancellationToken ct)
    {
        switch (message.Type)
        {
            case LinkMessageTypes.Hello:
                var hello = message.Read<ClusterHello>();
                NoteClock(link, hello.Timestamp);
                await OnHelloAsync(link, hello, ct);
                link.TrySend(LinkMessageTypes.SubnetBlocks, new SubnetBlocks(await blocks.ListAsync(link.ClusterId, ct)));
                relay.HelloReceived(link.ClusterId);
                break;
            case LinkMessageTypes.Resources:
                var resources = message.Read<ClusterResources>();
                NoteClock(link, resources.Timestamp);
                await store.UpdateClusterResourcesAsync(link.ClusterId, resources.Resources.ToJsonString(), time.GetUtcNow(), ct);
                scheduler.Wake();
                break;
            case LinkMessageTypes.InstanceStatus:
                await ApplyReportAsync(link, message.Read<InstanceReport>(), ct);
                relay.Changed();
                break;
            case LinkMessageTypes.NetNodes:
                relay.NetNodesReceived(link.ClusterId, message.Read<ClusterNetNodes>());
                break;
            case LinkMessageTypes.SubnetBlocksRequest:
                var request = message.Read<SubnetBlocksRequest>();
                link.TrySend(LinkMessageTypes.SubnetBlocks,
                    new SubnetBlocks(await blocks.OnRequestAsync(link.ClusterId, link.ClusterName, request.Taken, ct)));
                break;
            case LinkMessageTypes.InstanceMetrics:
                var samples = message.Read<InstanceMetrics>().Instances
                    .Select(r => new InstanceMetricsSample(r.ServiceId, r.InstanceNumber, r.CpuPercent ?? 0, r.Memory ?? 0, r.MemoryPercent ?? 0, r.RestartCount))
                    .ToList();
                await store.UpdateMetricsAsync(link.ClusterId, samples, ct);
                history.Record(samples);
                break;
            case LinkMessageTypes.NodeStatus:
                await store.AddEventAsync(NodeEvent(link, message.Read<NodeLivenessChange>()), ct);
                break;
            case LinkMessageTypes.Response:
                hub.Complete(link.ClusterId, message.Read<LinkResponse>());
                break;
            default:
                UnknownMessage(link.ClusterName, message.Type);
                break;
        }
    }

    /// <summary>
    /// Reconciliation after a (re)connect: reports update the records; what the cluster runs that the root does not want is
    /// undeployed; what the root placed there that the cluster lacks is deployed again, or, when it was being deleted, is gone.
    /// </summary>
    private async Task OnHelloAsync(ClusterConnection link, ClusterHello hello, CancellationToken ct)
    {
        var reported = new HashSet<(string, int)>();
        foreach (var report in hello.Instances)
        {
            reported.Add((report.ServiceId, report.InstanceNumber));
            await ApplyReportAsync(link, report, ct);
        }

        var redeployed = 0;
        foreach (var instance in await store.ListInstancesOnClusterAsync(link.ClusterId, ct))
        {
            if (reported.Contains((instance.ServiceId, instance.InstanceNumber)) || instance.Status.IsTerminal())
            {
                continue;
            }

            if (instance.Deleting)
            {
                await store.RemoveInstanceAsync(instance.ServiceId, instance.InstanceNumber, ct);
                InstanceRemoved(instance.ServiceId, instance.InstanceNumber, link.ClusterName);
                continue;
            }

            if (await RedeployAsync(link, instance, ct))
            {
                redeployed++;
            }
        }

        HelloReconciled(link.ClusterName, hello.Instances.Count, redeployed);
        scheduler.Wake();
    }

    private async Task<bool> RedeployAsync(ClusterConnection link, InstanceRecord instance, CancellationToken ct)
    {
        var service = await store.GetServiceAsync(instance.ServiceId, ct);
        if (service is null || service.Deleting || await vault.SpecForDeployAsync(service, ct) is not { } spec)
        {
            return false;
        }

        var again = false;
        await store.UpdateInstanceAsync(instance.ServiceId, instance.InstanceNumber, current =>
        {
            if (current.ClusterId != link.ClusterId || current.Deleting || current.Status.IsTerminal())
            {
                return null;
            }

            if (!InstanceTransitions.IsAllowed(current.Status, InstanceStatus.ClusterScheduled))
            {
                TransitionRefused(current.ServiceId, current.InstanceNumber, current.Status, InstanceStatus.ClusterScheduled);
                return null;
            }

            again = true;
            return current with
            {
                Status = InstanceStatus.ClusterScheduled,
                StatusDetail = $"deployed again: cluster {link.ClusterName} did not report it after reconnecting",
                NodeId = null,
                NodeName = null,
                HostIp = null,
                InstanceIp = null,
                HostPort = null,
                Pid = null,
                UpdatedAt = time.GetUtcNow(),
            };
        }, ct);
        if (again)
        {
            link.TrySend(LinkMessageTypes.Deploy, new DeployInstance(spec, instance.InstanceNumber));
        }

        return again;
    }

    /// <summary>The event of a node's liveness change, at the root's time of hearing it (the root's clock orders the stream).</summary>
    private EventDocument NodeEvent(ClusterConnection link, NodeLivenessChange change) => new()
    {
        Time = time.GetUtcNow(),
        Kind = EventKinds.Node,
        Status = FleetEventText.Liveness(change.Active),
        Reason = Bounded(change.Reason),
        ClusterId = link.ClusterId,
        ClusterName = link.ClusterName,
        NodeId = Bounded(change.NodeId),
        NodeName = Bounded(change.NodeName),
    };

    private static string Bounded(string text) => text.Length <= 300 ? text : text[..300];

    /// <summary>Liveness never uses the cluster's clock; its skew only moves the times it reports into the root's clock.</summary>
    private void NoteClock(ClusterConnection link, DateTimeOffset? sentAt)
    {
        var skew = ClockSkew.Estimate(sentAt, time.GetUtcNow());
        if (ClockSkew.IsSignificant(skew) && !ClockSkew.IsSignificant(link.ClockSkew))
        {
            ClusterClockSkewed(link.ClusterName, ClockSkew.Describe(skew!.Value));
        }

        link.ClockSkew = skew ?? link.ClockSkew;
    }

    private async Task ApplyReportAsync(ClusterConnection link, InstanceReport report, CancellationToken ct)
    {
        report = report.InReceiverClock(link.ClockSkew);
        var outcome = Outcome.NotOurs;
        var previous = InstanceStatus.Requested;
        var now = time.GetUtcNow();
        // A removal or a hand-back changes what the cluster holds, and must outlive a power cut; any other status the cluster
        // reports again after a reconnect.
        Func<string, int, Func<InstanceRecord, InstanceRecord?>, CancellationToken, Task<InstanceRecord?>> update =
            report.Status is InstanceStatus.Undeployed or InstanceStatus.Requested ? store.UpdateInstanceAsync : store.UpdateReportedInstanceAsync;
        var stored = await update(report.ServiceId, report.InstanceNumber, current =>
        {
            // An instance waiting at the root that a cluster runs anyway is adopted rather than killed.
            var adoptable = current.ClusterId is null && InstanceRules.AwaitsPlacement(current) && report.Status != InstanceStatus.Undeployed;
            if (current.ClusterId != link.ClusterId && !adoptable)
            {
                outcome = Outcome.NotOurs;
                return null;
            }

            if (current.Deleting && report.Status is InstanceStatus.Undeployed or InstanceStatus.Requested)
            {
                outcome = Outcome.RemovalConfirmed;
                return null;
            }

            previous = current.Status;
            var next = InstanceReports.Apply(current, report, link.ClusterId, now);
            if (next is null)
            {
                outcome = Outcome.Refused;
                return null;
            }

            outcome = current.Deleting ? Outcome.ActiveWhileDeleting
                : next.Status == InstanceStatus.Requested ? Outcome.HandedBack
                : Outcome.Applied;
            return next;
        }, ct);

        if (stored is null)
        {
            outcome = Outcome.NotOurs;
        }
        else if (outcome == Outcome.Applied && stored.Status != previous)
        {
            metrics.Reached(stored, previous);
        }

        switch (outcome)
        {
            case Outcome.NotOurs when report.Status != InstanceStatus.Undeployed:
                // Unknown, deleted, or placed elsewhere since: this copy must go.
                link.TrySend(LinkMessageTypes.Undeploy, new UndeployInstance(report.ServiceId, report.InstanceNumber));
                StrayUndeployed(report.ServiceId, report.InstanceNumber, link.ClusterName);
                break;
            case Outcome.RemovalConfirmed:
                var removal = await store.RemoveInstanceAsync(report.ServiceId, report.InstanceNumber, ct);
                InstanceRemoved(report.ServiceId, report.InstanceNumber, link.ClusterName);
                if (removal.ServiceRemoved)
                {
                    ServiceRemoved(report.ServiceId);
                }

                break;
            case Outcome.ActiveWhileDeleting when report.Status is InstanceStatus.NodeScheduled or InstanceStatus.Creating or InstanceStatus.Running:
                // The undeploy may have crossed a deploy on the wire; ask again.
                link.TrySend(LinkMessageTypes.Undeploy, new UndeployInstance(report.ServiceId, report.InstanceNumber));
                break;
            case Outcome.Refused:
                TransitionRefused(report.ServiceId, report.InstanceNumber, stored!.Status, report.Status);
                break;
            case Outcome.HandedBack:
                refusals.Add(report.ServiceId, report.InstanceNumber, link.ClusterId);
                scheduler.Wake();
                break;
        }
    }

    [LoggerMessage(EventId = 1411, Level = LogLevel.Warning, Message = "Cluster {Cluster} sent an unknown message type '{Type}'; ignored")]
    private partial void UnknownMessage(string cluster, string type);

    [LoggerMessage(EventId = 1412, Level = LogLevel.Information,
        Message = "Cluster {Cluster} said hello with {Reported} instances; {Redeployed} deployed again")]
    private partial void HelloReconciled(string cluster, int reported, int redeployed);

    [LoggerMessage(EventId = 1413, Level = LogLevel.Information, Message = "Instance {ServiceId}/{InstanceNumber} removed (cluster {Cluster} no longer holds it)")]
    private partial void InstanceRemoved(string serviceId, int instanceNumber, string cluster);

    [LoggerMessage(EventId = 1414, Level = LogLevel.Information, Message = "Service {ServiceId} removed: its last instance is gone")]
    private partial void ServiceRemoved(string serviceId);

    [LoggerMessage(EventId = 1415, Level = LogLevel.Information,
        Message = "Instance {ServiceId}/{InstanceNumber} on cluster {Cluster} is not wanted there; undeploy sent")]
    private partial void StrayUndeployed(string serviceId, int instanceNumber, string cluster);

    [LoggerMessage(EventId = 1416, Level = LogLevel.Warning, Message = "Refused reported transition of {ServiceId}/{InstanceNumber}: {From} -> {To}")]
    private partial void TransitionRefused(string serviceId, int instanceNumber, InstanceStatus from, InstanceStatus to);

    [LoggerMessage(EventId = 1417, Level = LogLevel.Warning,
        Message = "Cluster {Cluster}: its clock is {Skew} the root's; the times it reports are corrected, but set its clock (NTP)")]
    private partial void ClusterClockSkewed(string cluster, string skew);
}
