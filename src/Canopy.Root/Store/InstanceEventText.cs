using Canopy.Core.States;

namespace Canopy.Root.Store;

/// <summary>The sentence an instance event carries, built from the record that reached the status.</summary>
internal static class InstanceEventText
{
    /// <summary>How many events each instance keeps; older ones are pruned when a new one is added.</summary>
    public const int Kept = 50;

    public static string Sentence(InstanceRecord instance, string? clusterName)
    {
        var status = instance.Status.ToWireName();
        var detail = string.IsNullOrWhiteSpace(instance.StatusDetail) ? null : instance.StatusDetail;
        return instance.Status switch
        {
            // The root's own decisions carry their sentence in the detail.
            InstanceStatus.Requested or InstanceStatus.ClusterScheduled => detail ?? status,
            InstanceStatus.NodeScheduled when instance.NodeName is { } node => Placed(node, clusterName, detail),
            _ => detail is null ? status : $"{status}: {detail}",
        };
    }

    private static string Placed(string node, string? clusterName, string? detail)
    {
        var placed = clusterName is null ? $"placed on node {node}" : $"placed on node {node} by {clusterName}";
        return detail is null || detail.StartsWith("placed on node", StringComparison.Ordinal) ? placed : $"{placed}; {detail}";
    }

    /// <summary>A change worth an event: a new status, or the same status with a new detail (a restart back-off, a new failure reason).</summary>
    public static bool IsEvent(InstanceRecord before, InstanceRecord after) =>
        before.Status != after.Status || before.StatusDetail != after.StatusDetail;
}
