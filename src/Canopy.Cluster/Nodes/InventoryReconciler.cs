using Canopy.Cluster.Instances;
using Canopy.Cluster.Net;
using Canopy.Cluster.Storage;
using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Core.States;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Nodes;

/// <summary>
/// A node's <c>jobs/resources</c> is its whole inventory. Metrics are taken over; then the node and the cluster are made to agree
/// (docs/architecture.md, "Cluster ⇄ node" 5): what the node should not run is deleted there, what nobody else runs is adopted,
/// and what it should run but does not report twice in a row is deployed again. Callers hold the <see cref="ClusterGate"/>.
/// </summary>
internal sealed partial class InventoryReconciler(
    IClusterStore store, InstanceTracker tracker, NodeCommands commands, NetTableHolds netHolds, TimeProvider time,
    ILogger<InventoryReconciler> logger)
{
    private const int MissingReportsBeforeRedeploy = 2;
    // The inventory comes every 2 s; a delete lost with a dropped MQTT session is sent again at the next report but one.
    private static readonly TimeSpan DeleteResendInterval = TimeSpan.FromSeconds(1.5);

    private readonly Dictionary<(string ServiceId, int Number), int> _missing = [];
    private readonly Dictionary<(string ServiceId, int Number, string NodeId), DateTimeOffset> _deleteSent = [];

    public async Task OnInventoryAsync(string nodeId, JobsResources inventory, CancellationToken ct)
    {
        var node = await store.GetNodeAsync(nodeId, ct);

        // An inactive node's instances have been moved already; once its information makes it active, the next report reconciles.
        if (node is not { Active: true })
        {
            return;
        }

        var reported = new HashSet<(string, int)>();
        foreach (var report in inventory.Services)
        {
            reported.Add((report.ServiceId, report.InstanceNumber));
            await ReconcileReportedAsync(node, report, ct);
        }

        foreach (var instance in await store.ListInstancesOnNodeAsync(nodeId, ct))
        {
            var key = (instance.ServiceId, instance.InstanceNumber);
            if (reported.Contains(key))
            {
                _missing.Remove(key);
                continue;
            }

            await ReconcileMissingAsync(node, instance, ct);
        }

        netHolds.InventoryReconciled(nodeId);
    }

    private async Task ReconcileReportedAsync(NodeRecord node, InstanceReport report, CancellationToken ct)
    {
        var instance = await store.GetInstanceAsync(report.ServiceId, report.InstanceNumber, ct);
        if (instance is null)
        {
            SendDelete(node, report.ServiceId, report.InstanceNumber, report.JobName, "the cluster does not know it");
            return;
        }

        if (instance.NodeId == node.Id)
        {
            await UpdateOwnAsync(node, instance, report, ct);
            return;
        }

        var owner = instance.NodeId is null ? null : await store.GetNodeAsync(instance.NodeId, ct);
        if (owner is { Active: true } && instance.Status.IsPlacedOnNode())
        {
            SendDelete(node, report.ServiceId, report.InstanceNumber, report.JobName, $"it lives on node {owner.Host}");
            return;
        }

        await AdoptAsync(node, instance, report, ct);
    }

    private async Task UpdateOwnAsync(NodeRecord node, InstanceRecord instance, InstanceReport report, CancellationToken ct)
    {
        if (instance.Deleting)
        {
            SendDelete(node, report.ServiceId, report.InstanceNumber, report.JobName, "the root undeployed it");
            return;
        }

        var updated = instance.WithNodeReport(report);

        // A job message may have been lost (e.g. while the cluster restarted): the inventory tells the current status too.
        if (report.Status != instance.Status && report.Status != InstanceStatus.Undeployed)
        {
            updated = tracker.Transition(updated, report.Status, report.StatusDetail, $"inventory of node {node.Host}") ?? updated;
        }

        await tracker.SaveAsync(instance, updated, ct);
    }

    /// <summary>The instance is not placed on an active node (e.g. NO_WORKER_CAPACITY after this node was thought dead): it runs here.</summary>
    private async Task AdoptAsync(NodeRecord node, InstanceRecord instance, InstanceReport report, CancellationToken ct)
    {
        var placed = instance with { NodeId = node.Id, NodeName = node.Host, HostIp = report.HostIp ?? node.Ip };
        if (instance.Deleting)
        {
            await store.SaveInstanceAsync(placed, ct);
            SendDelete(node, report.ServiceId, report.InstanceNumber, report.JobName, "the root undeployed it");
            return;
        }

        var adopted = TransitionVia(placed, report.Status, $"adopted on node {node.Host}");
        if (adopted is null)
        {
            return;
        }

        Log.Adopted(logger, instance.ToString(), node.Host, report.Status.ToWireName());
        await tracker.SaveAsync(instance, adopted.WithNodeReport(report), ct);
    }

    /// <summary>Adoption may skip steps of the table (NO_WORKER_CAPACITY → RUNNING): take the shortest allowed path through the scheduling states.</summary>
    private InstanceRecord? TransitionVia(InstanceRecord instance, InstanceStatus to, string detail)
    {
        InstanceStatus[][] paths =
        [
            [to],
            [InstanceStatus.NodeScheduled, to],
            [InstanceStatus.ClusterScheduled, InstanceStatus.NodeScheduled, to],
        ];
        if (paths.Any(path => IsAllowedPath(instance.Status, path)))
        {
            return instance with { Status = to, Detail = detail, UpdatedAt = time.GetUtcNow() };
        }

        return tracker.Transition(instance, to, detail, "adoption");
    }

    private static bool IsAllowedPath(InstanceStatus from, IEnumerable<InstanceStatus> path)
    {
        foreach (var step in path)
        {
            if (!InstanceTransitions.IsAllowed(from, step))
            {
                return false;
            }

            from = step;
        }

        return true;
    }

    private async Task ReconcileMissingAsync(NodeRecord node, InstanceRecord instance, CancellationToken ct)
    {
        var key = (instance.ServiceId, instance.InstanceNumber);
        var shouldRun = instance.Status is InstanceStatus.NodeScheduled or InstanceStatus.Creating or InstanceStatus.Running;
        if (!instance.Deleting && !shouldRun)
        {
            return;
        }

        var count = _missing.GetValueOrDefault(key) + 1;
        if (count < MissingReportsBeforeRedeploy)
        {
            _missing[key] = count;
            return;
        }

        _missing.Remove(key);
        if (instance.Deleting)
        {
            await tracker.FinalizeUndeployAsync(instance, $"node {node.Host} no longer has it", ct);
            return;
        }

        var spec = await store.GetServiceAsync(instance.ServiceId, ct);
        if (spec is not null)
        {
            Log.Redeploy(logger, instance.ToString(), node.Host, MissingReportsBeforeRedeploy);
            commands.Deploy(node.Id, spec, instance.InstanceNumber);
        }
    }

    private void SendDelete(NodeRecord node, string serviceId, int number, string jobName, string why)
    {
        // The node may take a while to stop it: repeat the command only now and then, not at every report.
        var key = (serviceId, number, node.Id);
        var now = time.GetUtcNow();
        if (_deleteSent.TryGetValue(key, out var sent) && now - sent < DeleteResendInterval)
        {
            return;
        }

        _deleteSent[key] = now;
        foreach (var old in _deleteSent.Where(p => now - p.Value > DeleteResendInterval * 4).Select(p => p.Key).ToList())
        {
            _deleteSent.Remove(old);
        }

        Log.Delete(logger, $"{serviceId}.{number}", node.Host, why);
        commands.Delete(node.Id, serviceId, number, jobName);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.InventoryDelete, Level = LogLevel.Information, Message = "Telling node {Host} to delete instance {Instance}: {Why}")]
        public static partial void Delete(ILogger logger, string instance, string host, string why);

        [LoggerMessage(EventId = EventIds.InventoryAdopt, Level = LogLevel.Information, Message = "Instance {Instance} adopted on node {Host}, which runs it ({Status})")]
        public static partial void Adopted(ILogger logger, string instance, string host, string status);

        [LoggerMessage(EventId = EventIds.InventoryRedeploy, Level = LogLevel.Warning, Message = "Node {Host} did not report instance {Instance} {Count} times in a row; deploying it again")]
        public static partial void Redeploy(ILogger logger, string instance, string host, int count);
    }
}
