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
    public async Task OnJobAsync(string nodeId, InstanceReport report, CancellationToken ct)
    {
        var node = await store.GetNodeAsync(nodeId, ct);
        var instance = await store.GetInstanceAsync(report.ServiceId, report.InstanceNumber, ct);
        if (node is null)
        {
            return;
        }

        if (instance is null)
        {
            Log.Stale(logger, $"{report.ServiceId}.{report.InstanceNumber}", node.Host, "the cluster does not know the instance");
            if (!report.Status.IsTerminal())
            {
                commands.Delete(nodeId, report.ServiceId, report.InstanceNumber, report.JobName);
            }

            return;
        }

        if (instance.NodeId != nodeId)
        {
            // e.g. the UNDEPLOYED of the copy a revived node was told to drop, after the instance moved away.
            Log.Stale(logger, instance.ToString(), node.Host, $"the instance lives on node {instance.NodeName ?? "(none)"}");
            return;
        }

        if (report.Status == InstanceStatus.Undeployed)
        {
            await tracker.FinalizeUndeployAsync(instance, report.StatusDetail ?? $"removed from node {node.Host}", ct);
            return;
        }

        var changed = tracker.Transition(instance, report.Status, report.StatusDetail, $"job report of node {node.Host}");
        if (changed is not null)
        {
            await tracker.SaveAsync(instance, changed.WithNodeReport(report), ct);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.StaleReport, Level = LogLevel.Information, Message = "Ignored report of node {Host} about instance {Instance}: {Why}")]
        public static partial void Stale(ILogger logger, string instance, string host, string why);
    }
}
