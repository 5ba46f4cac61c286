namespace Canopy.Core.States;

/// <summary>A service's status is derived from its instances, never stored on its own.</summary>
public static class ServiceStatus
{
    /// <summary>
    /// RUNNING only when every instance runs; otherwise the status of the instance that is furthest from running
    /// (a failure before a pending start), so that a problem is never hidden behind a healthy sibling.
    /// A service without instances is <c>REQUESTED</c>... unless it never asked for any: then <c>UNDEPLOYED</c>.
    /// </summary>
    public static string Derive(IReadOnlyCollection<InstanceStatus> instances, int desired)
    {
        if (instances.Count == 0)
        {
            return desired > 0 ? InstanceStatus.Requested.ToWireName() : InstanceStatus.Undeployed.ToWireName();
        }

        if (instances.All(s => s == InstanceStatus.Running))
        {
            return InstanceStatus.Running.ToWireName();
        }

        if (instances.All(s => s == InstanceStatus.Completed))
        {
            return InstanceStatus.Completed.ToWireName();
        }

        return instances.OrderBy(Severity).First().ToWireName();
    }

    private static int Severity(InstanceStatus status) => status switch
    {
        _ when status.IsNegativeScheduling() => 0,
        InstanceStatus.Failed => 1,
        InstanceStatus.Dead => 2,
        InstanceStatus.Requested => 3,
        InstanceStatus.ClusterScheduled => 4,
        InstanceStatus.NodeScheduled => 5,
        InstanceStatus.Creating => 6,
        InstanceStatus.Running => 7,
        InstanceStatus.Completed => 8,
        _ => 9,
    };
}
