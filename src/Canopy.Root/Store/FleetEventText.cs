using Canopy.Contracts.Api;
using Canopy.Core.States;

namespace Canopy.Root.Store;

/// <summary>What an instance transition says in the fleet's event stream: its reason, and the placement it was, if any.</summary>
internal static class FleetEventText
{
    /// <summary>The detail the transition carries, else where the instance is.</summary>
    public static string InstanceReason(InstanceRecord instance, string? clusterName)
    {
        if (instance.Status == InstanceStatus.NodeScheduled && instance.NodeName is { } node)
        {
            return InstanceEventText.Sentence(instance, clusterName);
        }

        if (!string.IsNullOrWhiteSpace(instance.StatusDetail))
        {
            return instance.StatusDetail;
        }

        return (instance.NodeName, clusterName) switch
        {
            ({ } n, { } c) => $"on node {n} of cluster {c}",
            ({ } n, null) => $"on node {n}",
            (null, { } c) => $"on cluster {c}",
            _ => "",
        };
    }

    /// <summary>
    /// A placement decision: the root chose a cluster (CLUSTER_SCHEDULED), the cluster chose a node (NODE_SCHEDULED), or either found
    /// no place (a negative scheduling status, with the reason it gave).
    /// </summary>
    public static (string Status, string Reason)? Placement(InstanceRecord instance, string? clusterName)
    {
        var detail = string.IsNullOrWhiteSpace(instance.StatusDetail) ? null : instance.StatusDetail;
        return instance.Status switch
        {
            InstanceStatus.ClusterScheduled => (Placed, detail ?? $"scheduled on cluster {clusterName}"),
            InstanceStatus.NodeScheduled when instance.NodeName is not null => (Placed, InstanceEventText.Sentence(instance, clusterName)),
            _ when instance.Status.IsNegativeScheduling() =>
                (Failed, detail is null ? instance.Status.ToWireName() : $"{instance.Status.ToWireName()}: {detail}"),
            _ => null,
        };
    }

    public const string Placed = "placed";
    public const string Failed = "failed";
    public const string Active = "active";
    public const string Inactive = "inactive";

    /// <summary>The words of <see cref="EventDocument.Status"/> for node and cluster events.</summary>
    public static string Liveness(bool active) => active ? Active : Inactive;
}
