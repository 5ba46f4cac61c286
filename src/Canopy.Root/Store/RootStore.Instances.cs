using System.Data.Common;
using Canopy.Core.States;

namespace Canopy.Root.Store;

public sealed partial class RootStore
{
    private const string InstanceColumns =
        "service_id, instance_number, status, status_detail, cluster_id, node_id, node_name, host_ip, host_port, cpu_percent, memory, " +
        "memory_percent, restart_count, exit_code, pid, started_at, updated_at, deleting, instance_ip";

    private static readonly string UpsertInstance = OnConflictReplace(InstanceColumns, "service_id, instance_number");

    public async Task<InstanceRecord?> AddInstanceAsync(string serviceId, DateTimeOffset now, CancellationToken ct) =>
        (await AddInstancesAsync(serviceId, 1, now, ct)).FirstOrDefault();

    public Task<IReadOnlyList<InstanceRecord>> AddInstancesAsync(string serviceId, int count, DateTimeOffset now, CancellationToken ct) =>
        Announced(WriteAsync<IReadOnlyList<InstanceRecord>>((c, tx) =>
        {
            var service = Query(c, tx, $"SELECT {ServiceColumns}, version FROM services WHERE id = @id", ReadService, ("@id", serviceId)).FirstOrDefault();
            if (service is null || service.Deleting || count <= 0)
            {
                return [];
            }

            var added = new List<InstanceRecord>(count);
            for (var number = service.NextInstanceNumber; added.Count < count; number++)
            {
                var instance = new InstanceRecord { ServiceId = serviceId, InstanceNumber = number, Status = InstanceStatus.Requested, UpdatedAt = now };
                WriteInstance(c, tx, instance);
                AppendEvent(c, tx, instance with { StatusDetail = "requested" });
                added.Add(instance);
            }

            Execute(c, tx, "UPDATE services SET next_instance_number = @next WHERE id = @id",
                ("@id", serviceId), ("@next", service.NextInstanceNumber + count));
            SyncDesiredCount(c, tx, serviceId);
            return added;
        }, ct));

    public Task<InstanceRecord?> GetInstanceAsync(string serviceId, int instanceNumber, CancellationToken ct) =>
        ReadAsync(c => FindInstance(c, null, serviceId, instanceNumber), ct);

    public Task<IReadOnlyList<InstanceRecord>> ListInstancesAsync(string? serviceId, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<InstanceRecord>>(c => serviceId is null
            ? Query(c, null, $"SELECT {InstanceColumns} FROM instances ORDER BY service_id, instance_number", ReadInstance)
            : Query(c, null, $"SELECT {InstanceColumns} FROM instances WHERE service_id = @sid ORDER BY instance_number",
                ReadInstance, ("@sid", serviceId)), ct);

    public Task<bool> AnyInstanceInAsync(IReadOnlyCollection<InstanceStatus> statuses, CancellationToken ct) =>
        ReadAsync(c =>
        {
            var names = statuses.Select((s, i) => ($"@s{i}", (object?)s.ToWireName())).ToArray();
            var list = string.Join(", ", names.Select(n => n.Item1));
            return statuses.Count > 0 && Scalar(c, null, $"SELECT EXISTS (SELECT 1 FROM instances WHERE deleting = 0 AND status IN ({list}))", names) == 1;
        }, ct);

    public Task<IReadOnlyList<InstanceRecord>> ListInstancesOnClusterAsync(string clusterId, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<InstanceRecord>>(c => Query(c, null,
            $"SELECT {InstanceColumns} FROM instances WHERE cluster_id = @cid ORDER BY service_id, instance_number",
            ReadInstance, ("@cid", clusterId)), ct);

    public Task<InstanceRecord?> UpdateInstanceAsync(
        string serviceId, int instanceNumber, Func<InstanceRecord, InstanceRecord?> change, CancellationToken ct) =>
        Announced(WriteAsync((c, tx) => UpdateInstance(c, tx, serviceId, instanceNumber, change), ct));

    public Task<InstanceRecord?> UpdateReportedInstanceAsync(
        string serviceId, int instanceNumber, Func<InstanceRecord, InstanceRecord?> change, CancellationToken ct) =>
        Announced(WriteReportedAsync((c, tx) => UpdateInstance(c, tx, serviceId, instanceNumber, change), ct));

    private InstanceRecord? UpdateInstance(
        DbConnection c, DbTransaction tx, string serviceId, int instanceNumber, Func<InstanceRecord, InstanceRecord?> change)
    {
        var current = FindInstance(c, tx, serviceId, instanceNumber);
        if (current is null)
        {
            return null;
        }

        var next = change(current);
        if (next is null || next == current)
        {
            return current;
        }

        if (next.ServiceId != serviceId || next.InstanceNumber != instanceNumber)
        {
            throw new InvalidOperationException("an instance update must not change its identity");
        }

        WriteInstance(c, tx, next);
        if (InstanceEventText.IsEvent(current, next))
        {
            AppendEvent(c, tx, next);
        }

        return next;
    }

    // Gauges the cluster reports every 2 s: their commit does not wait for the disk.
    public Task UpdateMetricsAsync(string clusterId, IReadOnlyList<InstanceMetricsSample> samples, CancellationToken ct) =>
        WriteReportedAsync((c, tx) =>
        {
            foreach (var m in samples)
            {
                Execute(c, tx,
                    "UPDATE instances SET cpu_percent = @cpu, memory = @mem, memory_percent = @memPct, restart_count = @restarts " +
                    "WHERE service_id = @sid AND instance_number = @n AND cluster_id = @cluster",
                    ("@sid", m.ServiceId), ("@n", m.InstanceNumber), ("@cluster", clusterId), ("@cpu", m.CpuPercent), ("@mem", m.Memory),
                    ("@memPct", m.MemoryPercent), ("@restarts", m.RestartCount));
            }

            return true;
        }, ct);

    public Task<DeletionOutcome> MarkForDeletionAsync(
        string? applicationId, string? serviceId, IReadOnlyCollection<int>? instanceNumbers,
        Func<InstanceRecord, bool> heldByCluster, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            List<string> serviceIds;
            string? appId = applicationId;
            if (applicationId is not null)
            {
                if (Execute(c, tx, "UPDATE applications SET deleting = 1, version = version + 1 WHERE id = @id", ("@id", applicationId)) == 0)
                {
                    return DeletionOutcome.Nothing;
                }

                Execute(c, tx, "UPDATE services SET deleting = 1, version = version + 1 WHERE application_id = @id", ("@id", applicationId));
                serviceIds = Query(c, tx, "SELECT id FROM services WHERE application_id = @id", r => r.GetString(0), ("@id", applicationId));
            }
            else if (serviceId is not null)
            {
                appId = Query(c, tx, "SELECT application_id FROM services WHERE id = @id", r => r.GetString(0), ("@id", serviceId)).FirstOrDefault();
                if (appId is null)
                {
                    return DeletionOutcome.Nothing;
                }

                if (instanceNumbers is null)
                {
                    Execute(c, tx, "UPDATE services SET deleting = 1, version = version + 1 WHERE id = @id", ("@id", serviceId));
                }

                serviceIds = [serviceId];
            }
            else
            {
                throw new ArgumentException("name an application or a service");
            }

            var awaiting = new List<InstanceRecord>();
            foreach (var sid in serviceIds)
            {
                var instances = Query(c, tx, $"SELECT {InstanceColumns} FROM instances WHERE service_id = @sid", ReadInstance, ("@sid", sid));
                foreach (var instance in instances.Where(i => instanceNumbers is null || instanceNumbers.Contains(i.InstanceNumber)))
                {
                    if (heldByCluster(instance))
                    {
                        var marked = instance with { Deleting = true };
                        WriteInstance(c, tx, marked);
                        awaiting.Add(marked);
                    }
                    else
                    {
                        DeleteInstance(c, tx, sid, instance.InstanceNumber);
                    }
                }

                if (instanceNumbers is not null)
                {
                    SyncDesiredCount(c, tx, sid);
                }
            }

            var (serviceRemoved, applicationRemoved) = Collect(c, tx, serviceIds, appId);
            return new DeletionOutcome(awaiting, serviceRemoved, applicationRemoved);
        }, ct);

    public Task<DeletionOutcome> RemoveInstanceAsync(string serviceId, int instanceNumber, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            if (DeleteInstance(c, tx, serviceId, instanceNumber) == 0)
            {
                return DeletionOutcome.Nothing;
            }

            var appId = Query(c, tx, "SELECT application_id FROM services WHERE id = @id", r => r.GetString(0), ("@id", serviceId)).FirstOrDefault();
            var (serviceRemoved, applicationRemoved) = Collect(c, tx, [serviceId], appId);
            return new DeletionOutcome([], serviceRemoved, applicationRemoved);
        }, ct);

    /// <summary>Deletes services marked for deletion that have no instance left, then the application if it is marked and empty.</summary>
    private static (bool ServiceRemoved, bool ApplicationRemoved) Collect(
        DbConnection c, DbTransaction tx, IEnumerable<string> serviceIds, string? applicationId)
    {
        var serviceRemoved = false;
        foreach (var sid in serviceIds)
        {
            serviceRemoved |= Execute(c, tx,
                "DELETE FROM services WHERE id = @id AND deleting = 1 AND NOT EXISTS (SELECT 1 FROM instances WHERE service_id = @id)",
                ("@id", sid)) > 0;
        }

        var applicationRemoved = applicationId is not null && Execute(c, tx,
            "DELETE FROM applications WHERE id = @id AND deleting = 1 AND NOT EXISTS (SELECT 1 FROM services WHERE application_id = @id)",
            ("@id", applicationId)) > 0;
        return (serviceRemoved, applicationRemoved);
    }

    /// <summary>The desired count follows the instances that are not being removed (POST instance, DELETE instance, scale).</summary>
    private static void SyncDesiredCount(DbConnection c, DbTransaction tx, string serviceId) =>
        Execute(c, tx,
            "UPDATE services SET desired_instances = (SELECT COUNT(*) FROM instances WHERE service_id = @id AND deleting = 0) WHERE id = @id",
            ("@id", serviceId));

    private static InstanceRecord? FindInstance(DbConnection c, DbTransaction? tx, string serviceId, int instanceNumber) =>
        Query(c, tx, $"SELECT {InstanceColumns} FROM instances WHERE service_id = @sid AND instance_number = @n", ReadInstance,
            ("@sid", serviceId), ("@n", instanceNumber)).FirstOrDefault();

    private static int DeleteInstance(DbConnection c, DbTransaction tx, string serviceId, int instanceNumber)
    {
        DeleteEvents(c, tx, serviceId, instanceNumber);
        return Execute(c, tx, "DELETE FROM instances WHERE service_id = @sid AND instance_number = @n", ("@sid", serviceId), ("@n", instanceNumber));
    }

    private static void WriteInstance(DbConnection c, DbTransaction tx, InstanceRecord i) =>
        Execute(c, tx,
            $"INSERT INTO instances ({InstanceColumns}) VALUES (@sid, @n, @status, @detail, @cluster, @node, @nodeName, @hostIp, " +
            "@hostPort, @cpu, @mem, @memPct, @restarts, @exit, @pid, @started, @updated, @deleting, @instanceIp)" + UpsertInstance,
            ("@sid", i.ServiceId), ("@n", i.InstanceNumber), ("@status", i.Status.ToWireName()), ("@detail", i.StatusDetail),
            ("@cluster", i.ClusterId), ("@node", i.NodeId), ("@nodeName", i.NodeName), ("@hostIp", i.HostIp), ("@hostPort", i.HostPort),
            ("@cpu", i.CpuPercent), ("@mem", i.Memory), ("@memPct", i.MemoryPercent), ("@restarts", i.RestartCount), ("@exit", i.ExitCode),
            ("@pid", i.Pid), ("@started", Time(i.StartedAt)), ("@updated", Time(i.UpdatedAt)), ("@deleting", i.Deleting),
            ("@instanceIp", i.InstanceIp));

    private static InstanceRecord ReadInstance(DbDataReader r) => new()
    {
        ServiceId = r.GetString(0),
        InstanceNumber = r.GetInt32(1),
        Status = InstanceStatusExtensions.TryParseWireName(r.GetString(2), out var status) ? status : InstanceStatus.Failed,
        StatusDetail = StringOrNull(r, 3),
        ClusterId = StringOrNull(r, 4),
        NodeId = StringOrNull(r, 5),
        NodeName = StringOrNull(r, 6),
        HostIp = StringOrNull(r, 7),
        HostPort = StringOrNull(r, 8),
        CpuPercent = r.GetDouble(9),
        Memory = r.GetDouble(10),
        MemoryPercent = r.GetDouble(11),
        RestartCount = r.GetInt32(12),
        ExitCode = IntOrNull(r, 13),
        Pid = IntOrNull(r, 14),
        StartedAt = ReadTimeOrNull(r, 15),
        UpdatedAt = ReadTime(r, 16),
        Deleting = Flag(r, 17),
        InstanceIp = StringOrNull(r, 18),
    };
}
