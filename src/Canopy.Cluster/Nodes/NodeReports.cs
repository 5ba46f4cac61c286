using Canopy.Cluster.Instances;
using Canopy.Cluster.Storage;
using Canopy.Contracts;
using Canopy.Core.States;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Nodes;

/// <summary>
/// A node's <c>job</c> message: one instance changed status. Applied if the table allows it and the instance still lives on
/// that node, then reported to the root at once. Callers hold the <see cref="ClusterGate"/>.
/// </summary>
internal sealed partial class NodeReports(IClusterStore store, InstanceTracker tracker, NodeCommands commands, ILogger<NodeReports> logger)
{
    /// <summary>
    /// Several <c>job</c> messages in the order they came, their changes stored together (one transaction instead of one each); a
    /// second report about an instance, or a removal, first stores what came before it.
    /// </summary>
    public async Task OnJobsAsync(IReadOnlyList<(string NodeId, InstanceReport Report)> jobs, CancellationToken ct)
    {
        var pending = new List<(InstanceRecord? Before, InstanceRecord After)>();
        var keys = new HashSet<(string, int)>();
        foreach (var (nodeId, report) in jobs)
        {
            var key = (report.ServiceId, report.InstanceNumber);
            if (pending.Count > 0 && (keys.Contains(key) || report.Status == InstanceStatus.Undeployed))
            {
                await tracker.SaveAllAsync(pending, ct);
                pending.Clear();
                keys.Clear();
            }

            if (await ApplyAsync(nodeId, report, ct) is { } change)
            {
                pending.Add(change);
                keys.Add(key);
            }
        }

        if (pending.Count > 0)
        {
            await tracker.SaveAllAsync(pending, ct);
        }
    }

    /// <summary>The change to store for one report, or null when there is none (ignored, refused, or a removal already done).</summary>
    private async Task<(InstanceRecord? Before, InstanceRecord After)?> ApplyAsync(string nodeId, InstanceReport report, CancellationToken ct)
    {
        var node = await store.GetNodeAsync(nodeId, ct);
        var instance = await store.GetInstanceAsync(report.ServiceId, report.InstanceNumber, ct);
        if (node is null)
        {
            return null;
        }

        if (instance is null)
        {
            Log.Stale(logger, $"{report.ServiceId}.{report.InstanceNumber}", node.Host, "the cluster does not know the instance");
            if (!report.Status.IsTerminal())
            {
                commands.Delete(nodeId, report.ServiceId, report.InstanceNumber, report.JobName);
            }

            return null;
        }

        if (instance.NodeId != nodeId)
        {
            // e.g. the UNDEPLOYED of the copy a revived node was told to drop, after the instance moved away.
            Log.Stale(logger, instance.ToString(), node.Host, $"the instance lives on node {instance.NodeName ?? "(none)"}");
            return null;
        }

        if (report.Status == InstanceStatus.Undeployed)
        {
            await tracker.FinalizeUndeployAsync(instance, report.StatusDetail ?? $"removed from node {node.Host}", ct);
            return null;
        }

        var changed = tracker.Transition(instance, report.Status, report.StatusDetail, $"job report of node {node.Host}");
        return changed is null ? null : (instance, changed.WithNodeReport(report));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.StaleReport, Level = LogLevel.Information, Message = "Ignored report of node {Host} about instance {Instance}: {Why}")]
        public static partial void Stale(ILogger logger, string instance, string host, string why);
    }
}
