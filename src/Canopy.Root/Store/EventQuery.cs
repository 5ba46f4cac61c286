namespace Canopy.Root.Store;

/// <summary>
/// Which fleet events to read (<see cref="IRootStore.ListEventsAsync"/>). Null filters match everything. Visibility: workload events
/// (instance, placement) only with <see cref="Workloads"/>, and then only of <see cref="OrganizationId"/> unless it is null;
/// node and cluster events only with <see cref="Infrastructure"/>.
/// </summary>
public sealed record EventQuery
{
    public string? ApplicationId { get; init; }
    public string? ServiceId { get; init; }
    public string? NodeName { get; init; }

    /// <summary>A cluster's id or its name.</summary>
    public string? Cluster { get; init; }

    public string? Kind { get; init; }

    /// <summary>Only events with a greater id.</summary>
    public long After { get; init; }

    /// <summary>Only events up to this id (a stream's backlog ends where its live part begins).</summary>
    public long? UpTo { get; init; }

    public int Limit { get; init; } = 100;

    /// <summary>The first <see cref="Limit"/> after <see cref="After"/> (paging forward) rather than the newest.</summary>
    public bool Oldest { get; init; }

    public bool Workloads { get; init; } = true;
    public bool Infrastructure { get; init; } = true;
    public string? OrganizationId { get; init; }

    /// <summary>Every event, for the process that hands new events to the streams (each stream filters its own).</summary>
    public static EventQuery All(long after, int limit) => new() { After = after, Limit = limit, Oldest = true };

    /// <summary>Whether <paramref name="stored"/> is one this query reads; the same rules as its SQL, for events already read.</summary>
    public bool Matches(StoredEvent stored)
    {
        var e = stored.Event;
        var workload = e.Kind is Contracts.Api.EventKinds.Instance or Contracts.Api.EventKinds.Placement;
        var visible = workload
            ? Workloads && (OrganizationId is null || OrganizationId == stored.OrganizationId)
            : Infrastructure;
        return visible && e.Id > After && (UpTo is null || e.Id <= UpTo)
            && (ApplicationId is null || ApplicationId == e.ApplicationId)
            && (ServiceId is null || ServiceId == e.ServiceId)
            && (NodeName is null || NodeName == e.NodeName)
            && (Cluster is null || Cluster == e.ClusterId || Cluster == e.ClusterName)
            && (Kind is null || Kind == e.Kind);
    }
}
