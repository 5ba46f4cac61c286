using Canopy.Core.States;
using Canopy.Root.Store;

namespace Canopy.Root.Deployments;

/// <summary>The root's reading of an instance record: who holds it, whether it waits for the root scheduler, what it reserves.</summary>
internal static class InstanceRules
{
    public static bool IsNegativeRoot(InstanceStatus status) => status is
        InstanceStatus.NoActiveClusterWithCapacity or InstanceStatus.TargetClusterNotFound or
        InstanceStatus.TargetClusterNotActive or InstanceStatus.TargetClusterNoCapacity;

    /// <summary>The statuses of <see cref="AwaitsPlacement"/> (for a store query).</summary>
    public static readonly IReadOnlyCollection<InstanceStatus> AwaitingPlacement =
    [
        InstanceStatus.Requested, InstanceStatus.NoActiveClusterWithCapacity, InstanceStatus.TargetClusterNotFound,
        InstanceStatus.TargetClusterNotActive, InstanceStatus.TargetClusterNoCapacity,
    ];

    /// <summary>A cluster has (or is about to have) it, so it must confirm UNDEPLOYED before the record may go.</summary>
    public static bool HeldByCluster(InstanceRecord instance) =>
        instance.ClusterId is not null && instance.Status != InstanceStatus.Undeployed;

    /// <summary>Waits for the root scheduler: never placed, handed back, or a placement that failed and is retried.</summary>
    public static bool AwaitsPlacement(InstanceRecord instance) =>
        !instance.Deleting && (instance.Status == InstanceStatus.Requested || IsNegativeRoot(instance.Status));

    /// <summary>Counts against its cluster's capacity until it ends.</summary>
    public static bool Reserves(InstanceRecord instance) =>
        instance.ClusterId is not null && !instance.Status.IsTerminal() &&
        instance.Status != InstanceStatus.Requested && !IsNegativeRoot(instance.Status);

    /// <summary>
    /// Whether a status a cluster reports can follow the recorded one through the transition table, in one or more steps.
    /// Steps the root did not see (a hello after a reconnect summarises many) are allowed; a move the table never allows
    /// (out of UNDEPLOYED, COMPLETED back to RUNNING) is not.
    /// </summary>
    public static bool CanReach(InstanceStatus from, InstanceStatus to)
    {
        if (InstanceTransitions.IsAllowed(from, to))
        {
            return true;
        }

        var seen = new HashSet<InstanceStatus> { from };
        var frontier = new Queue<InstanceStatus>([from]);
        while (frontier.TryDequeue(out var status))
        {
            foreach (var next in InstanceTransitions.From(status))
            {
                if (next == to)
                {
                    return true;
                }

                if (seen.Add(next))
                {
                    frontier.Enqueue(next);
                }
            }
        }

        return false;
    }
}
