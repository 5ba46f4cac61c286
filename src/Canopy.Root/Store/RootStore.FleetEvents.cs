using System.Data.Common;
using Canopy.Contracts.Api;
using Canopy.Core.States;

namespace Canopy.Root.Store;

public sealed partial class RootStore
{
    private const string FleetEventColumns =
        "id, time, kind, status, reason, organization_id, application_id, application_name, service_id, service_name, instance_number, " +
        "cluster_id, cluster_name, node_id, node_name";

    /// <summary>How many fleet events are kept; each new one drops those this far behind it (<see cref="RootOptions.EventsKept"/>).</summary>
    public int EventsKept { get; set; } = 10_000;

    /// <summary>Raised after a write that may have stored fleet events, so streams on this replica look at once.</summary>
    public event Action? EventsStored;

    public async Task<EventDocument> AddEventAsync(EventDocument e, CancellationToken ct)
    {
        var stored = await WriteAsync((c, tx) => e with { Id = InsertFleetEvent(c, tx, e, null) }, ct);
        EventsStored?.Invoke();
        return stored;
    }

    public Task<IReadOnlyList<StoredEvent>> ListEventsAsync(EventQuery query, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<StoredEvent>>(c =>
        {
            var visible = new List<string>();
            var args = new List<(string, object?)> { ("@after", query.After), ("@limit", query.Limit) };
            if (query.Workloads)
            {
                visible.Add(query.OrganizationId is null ? $"kind IN ({WorkloadKinds})" : $"(kind IN ({WorkloadKinds}) AND organization_id = @org)");
                args.Add(("@org", query.OrganizationId));
            }

            if (query.Infrastructure)
            {
                visible.Add($"kind NOT IN ({WorkloadKinds})");
            }

            if (visible.Count == 0)
            {
                return [];
            }

            var where = new List<string> { "id > @after", "(" + string.Join(" OR ", visible) + ")" };
            void Filter(string? value, string condition, string name)
            {
                if (value is not null)
                {
                    where.Add(condition);
                    args.Add((name, value));
                }
            }

            Filter(query.ApplicationId, "application_id = @app", "@app");
            Filter(query.ServiceId, "service_id = @sid", "@sid");
            Filter(query.NodeName, "node_name = @node", "@node");
            Filter(query.Cluster, "(cluster_id = @cluster OR cluster_name = @cluster)", "@cluster");
            Filter(query.Kind, "kind = @kind", "@kind");
            if (query.UpTo is { } upTo)
            {
                where.Add("id <= @upto");
                args.Add(("@upto", upTo));
            }

            var rows = Query(c, null,
                $"SELECT {FleetEventColumns} FROM fleet_events WHERE {string.Join(" AND ", where)} " +
                $"ORDER BY id {(query.Oldest ? "ASC" : "DESC")} LIMIT @limit",
                ReadFleetEvent, [.. args]);
            if (!query.Oldest)
            {
                rows.Reverse();
            }

            return rows;
        }, ct);

    public Task<long> LastEventIdAsync(CancellationToken ct) =>
        ReadAsync(c => Scalar(c, null, "SELECT COALESCE(MAX(id), 0) FROM fleet_events"), ct);

    /// <summary>The status of each cluster's newest liveness event: what the stream last said about it.</summary>
    public Task<IReadOnlyDictionary<string, string>> LatestClusterLivenessAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyDictionary<string, string>>(c => Query(c, null,
                "SELECT cluster_id, status FROM fleet_events WHERE id IN " +
                "(SELECT MAX(id) FROM fleet_events WHERE kind = @kind AND cluster_id IS NOT NULL GROUP BY cluster_id)",
                r => (Id: r.GetString(0), Status: r.GetString(1)), ("@kind", EventKinds.Cluster))
            .ToDictionary(r => r.Id, r => r.Status), ct);

    private static readonly string WorkloadKinds = $"'{EventKinds.Instance}', '{EventKinds.Placement}'";

    /// <summary>
    /// The fleet events of an instance transition, in the transaction that stores it: the status it reached, and the placement it was
    /// when it was one.
    /// </summary>
    private void AppendFleetEvents(DbConnection c, DbTransaction tx, InstanceRecord instance, string? clusterName)
    {
        var service = Query(c, tx, "SELECT application_id, app_name, service_name, organization_id FROM services WHERE id = @id",
            r => (AppId: r.GetString(0), AppName: r.GetString(1), Name: r.GetString(2), Organization: r.GetString(3)),
            ("@id", instance.ServiceId)).FirstOrDefault();
        var e = new EventDocument
        {
            Time = instance.UpdatedAt,
            Kind = EventKinds.Instance,
            Status = instance.Status.ToWireName(),
            Reason = FleetEventText.InstanceReason(instance, clusterName),
            ApplicationId = service.AppId,
            ApplicationName = service.AppName,
            ServiceId = instance.ServiceId,
            ServiceName = service.Name,
            InstanceNumber = instance.InstanceNumber,
            ClusterId = instance.ClusterId,
            ClusterName = clusterName,
            NodeId = instance.NodeId,
            NodeName = instance.NodeName,
        };
        InsertFleetEvent(c, tx, e, service.Organization);
        if (FleetEventText.Placement(instance, clusterName) is { } placement)
        {
            InsertFleetEvent(c, tx, e with { Kind = EventKinds.Placement, Status = placement.Status, Reason = placement.Reason }, service.Organization);
        }
    }

    private long InsertFleetEvent(DbConnection c, DbTransaction tx, EventDocument e, string? organizationId)
    {
        var id = Scalar(c, tx,
            $"INSERT INTO fleet_events ({FleetEventColumns[4..]}) VALUES (@time, @kind, @status, @reason, @org, @app, @appName, @sid, @serviceName, " +
            "@n, @cluster, @clusterName, @node, @nodeName) RETURNING id",
            ("@time", Time(e.Time)), ("@kind", e.Kind), ("@status", e.Status), ("@reason", e.Reason), ("@org", organizationId),
            ("@app", e.ApplicationId), ("@appName", e.ApplicationName), ("@sid", e.ServiceId), ("@serviceName", e.ServiceName),
            ("@n", e.InstanceNumber), ("@cluster", e.ClusterId), ("@clusterName", e.ClusterName), ("@node", e.NodeId), ("@nodeName", e.NodeName));
        Execute(c, tx, "DELETE FROM fleet_events WHERE id <= @cut", ("@cut", id - EventsKept));
        return id;
    }

    /// <summary>A write that may store fleet events, announced once it committed.</summary>
    private async Task<T> Announced<T>(Task<T> write)
    {
        var result = await write;
        EventsStored?.Invoke();
        return result;
    }

    private static StoredEvent ReadFleetEvent(DbDataReader r) => new(new EventDocument
    {
        Id = r.GetInt64(0),
        Time = ReadTime(r, 1),
        Kind = r.GetString(2),
        Status = r.GetString(3),
        Reason = r.GetString(4),
        ApplicationId = StringOrNull(r, 6),
        ApplicationName = StringOrNull(r, 7),
        ServiceId = StringOrNull(r, 8),
        ServiceName = StringOrNull(r, 9),
        InstanceNumber = IntOrNull(r, 10),
        ClusterId = StringOrNull(r, 11),
        ClusterName = StringOrNull(r, 12),
        NodeId = StringOrNull(r, 13),
        NodeName = StringOrNull(r, 14),
    }, StringOrNull(r, 5));
}
