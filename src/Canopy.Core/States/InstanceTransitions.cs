using System.Collections.Frozen;

namespace Canopy.Core.States;

/// <summary>
/// The one table of allowed instance status changes. A change it does not list is refused by every tier.
/// Staying in the same status is always allowed (a repeated report is not a transition).
/// </summary>
public static class InstanceTransitions
{
    private static readonly InstanceStatus[] NegativeRoot =
    [
        InstanceStatus.NoActiveClusterWithCapacity, InstanceStatus.TargetClusterNotFound,
        InstanceStatus.TargetClusterNotActive, InstanceStatus.TargetClusterNoCapacity,
    ];

    private static readonly InstanceStatus[] NegativeCluster =
    [
        InstanceStatus.NoWorkerCapacity, InstanceStatus.NoQualifiedWorkerFound,
    ];

    private static readonly FrozenDictionary<InstanceStatus, FrozenSet<InstanceStatus>> Table =
        new Dictionary<InstanceStatus, InstanceStatus[]>
        {
            [InstanceStatus.Requested] =
                [InstanceStatus.ClusterScheduled, .. NegativeRoot, InstanceStatus.Undeployed],
            [InstanceStatus.ClusterScheduled] =
                [InstanceStatus.NodeScheduled, .. NegativeCluster, InstanceStatus.Requested, InstanceStatus.Failed, InstanceStatus.Undeployed],
            [InstanceStatus.NodeScheduled] =
                [InstanceStatus.Creating, InstanceStatus.Running, InstanceStatus.Failed, InstanceStatus.Dead, InstanceStatus.Completed,
                 InstanceStatus.ClusterScheduled, InstanceStatus.Requested, InstanceStatus.Undeployed],
            [InstanceStatus.Creating] =
                [InstanceStatus.Running, InstanceStatus.Failed, InstanceStatus.Dead, InstanceStatus.Completed,
                 InstanceStatus.ClusterScheduled, InstanceStatus.Requested, InstanceStatus.Undeployed],
            [InstanceStatus.Running] =
                [InstanceStatus.Dead, InstanceStatus.Failed, InstanceStatus.Completed, InstanceStatus.Creating,
                 InstanceStatus.ClusterScheduled, InstanceStatus.Requested, InstanceStatus.Undeployed],
            [InstanceStatus.Dead] =
                [InstanceStatus.Creating, InstanceStatus.Running, InstanceStatus.Failed, InstanceStatus.Completed,
                 InstanceStatus.ClusterScheduled, InstanceStatus.Requested, InstanceStatus.Undeployed],
            [InstanceStatus.Failed] =
                [InstanceStatus.Creating, InstanceStatus.Running, InstanceStatus.Dead,
                 InstanceStatus.ClusterScheduled, InstanceStatus.Requested, .. NegativeCluster, InstanceStatus.Undeployed],
            [InstanceStatus.Completed] = [InstanceStatus.Undeployed],
            [InstanceStatus.Undeployed] = [],
            [InstanceStatus.NoActiveClusterWithCapacity] = RetryFromNegative,
            [InstanceStatus.TargetClusterNotFound] = RetryFromNegative,
            [InstanceStatus.TargetClusterNotActive] = RetryFromNegative,
            [InstanceStatus.TargetClusterNoCapacity] = RetryFromNegative,
            [InstanceStatus.NoWorkerCapacity] = RetryFromNegative,
            [InstanceStatus.NoQualifiedWorkerFound] = RetryFromNegative,
        }.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenSet());

    private static InstanceStatus[] RetryFromNegative =>
    [
        InstanceStatus.Requested, InstanceStatus.ClusterScheduled, InstanceStatus.NodeScheduled,
        .. NegativeRoot, .. NegativeCluster, InstanceStatus.Undeployed,
    ];

    public static bool IsAllowed(InstanceStatus from, InstanceStatus to) =>
        from == to || Table[from].Contains(to);

    /// <summary>The statuses reachable from <paramref name="from"/> in one step.</summary>
    public static IReadOnlySet<InstanceStatus> From(InstanceStatus from) => Table[from];
}
