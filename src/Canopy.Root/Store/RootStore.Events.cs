using System.Data.Common;
using Canopy.Core.States;

namespace Canopy.Root.Store;

public sealed partial class RootStore
{
    public Task<IReadOnlyList<InstanceEventRecord>> ListInstanceEventsAsync(string serviceId, int instanceNumber, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<InstanceEventRecord>>(c => Query(c, null,
            "SELECT time, status, detail, cluster_name, node_name FROM instance_events " +
            "WHERE service_id = @sid AND instance_number = @n ORDER BY seq",
            r => new InstanceEventRecord(
                ReadTime(r, 0),
                InstanceStatusExtensions.TryParseWireName(r.GetString(1), out var status) ? status : InstanceStatus.Failed,
                r.GetString(2), StringOrNull(r, 3), StringOrNull(r, 4)),
            ("@sid", serviceId), ("@n", instanceNumber)), ct);

    /// <summary>
    /// Appends the event <paramref name="instance"/> reached and keeps only the newest <see cref="InstanceEventText.Kept"/>; the fleet's
    /// event stream gets it too.
    /// </summary>
    private void AppendEvent(DbConnection c, DbTransaction tx, InstanceRecord instance)
    {
        var clusterName = instance.ClusterId is { } id
            ? Query(c, tx, "SELECT name FROM clusters WHERE id = @id", r => r.GetString(0), ("@id", id)).FirstOrDefault()
            : null;
        Execute(c, tx,
            "INSERT INTO instance_events (service_id, instance_number, time, status, detail, cluster_name, node_name) " +
            "VALUES (@sid, @n, @time, @status, @detail, @cluster, @node)",
            ("@sid", instance.ServiceId), ("@n", instance.InstanceNumber), ("@time", Time(instance.UpdatedAt)),
            ("@status", instance.Status.ToWireName()), ("@detail", InstanceEventText.Sentence(instance, clusterName)),
            ("@cluster", clusterName), ("@node", instance.NodeName));
        Execute(c, tx,
            "DELETE FROM instance_events WHERE service_id = @sid AND instance_number = @n AND seq NOT IN " +
            "(SELECT seq FROM instance_events WHERE service_id = @sid AND instance_number = @n ORDER BY seq DESC LIMIT @kept)",
            ("@sid", instance.ServiceId), ("@n", instance.InstanceNumber), ("@kept", InstanceEventText.Kept));
        AppendFleetEvents(c, tx, instance, clusterName);
    }

    private static void DeleteEvents(DbConnection c, DbTransaction tx, string serviceId, int instanceNumber) =>
        Execute(c, tx, "DELETE FROM instance_events WHERE service_id = @sid AND instance_number = @n",
            ("@sid", serviceId), ("@n", instanceNumber));
}
