using System.Data.Common;
using Canopy.Core.States;

namespace Canopy.Cluster.Storage;

internal sealed partial class ClusterStore
{
    private const string InstanceColumns =
        "service_id, instance_number, node_id, node_name, status, detail, cpu_percent, memory, memory_percent, " +
        "restart_count, exit_code, pid, host_ip, host_port, started_at, updated_at, deleting, instance_ip";

    private static readonly string UpsertInstance = OnConflictReplace(InstanceColumns, "service_id, instance_number");

    private readonly InstanceCache _instances = new();

    public async Task<InstanceRecord?> GetInstanceAsync(string serviceId, int instanceNumber, CancellationToken ct) =>
        await LoadInstancesAsync(ct) && _instances.TryGet(serviceId, instanceNumber, out var cached)
            ? cached
            : await ReadAsync(c => Query(c, null, $"SELECT {InstanceColumns} FROM instances WHERE service_id = @id AND instance_number = @n",
                ReadInstance, ("@id", serviceId), ("@n", instanceNumber)).FirstOrDefault(), ct);

    public async Task<IReadOnlyList<InstanceRecord>> ListInstancesAsync(CancellationToken ct) =>
        await LoadInstancesAsync(ct) && _instances.List() is { } all ? all : await QueryInstancesAsync("", null, ct);

    public async Task<IReadOnlyList<InstanceRecord>> ListInstancesOfServiceAsync(string serviceId, CancellationToken ct) =>
        await LoadInstancesAsync(ct) && _instances.List() is { } all
            ? all.Where(i => i.ServiceId == serviceId).ToList()
            : await QueryInstancesAsync("WHERE service_id = @p", serviceId, ct);

    public async Task<IReadOnlyList<InstanceRecord>> ListInstancesOnNodeAsync(string nodeId, CancellationToken ct) =>
        await LoadInstancesAsync(ct) && _instances.List() is { } all
            ? all.Where(i => i.NodeId == nodeId).ToList()
            : await QueryInstancesAsync("WHERE node_id = @p", nodeId, ct);

    public Task SaveInstanceAsync(InstanceRecord instance, CancellationToken ct) => SaveInstancesAsync([instance], ct);

    public Task SaveInstancesAsync(IReadOnlyList<InstanceRecord> instances, CancellationToken ct) =>
        WriteInstancesAsync((c, tx) =>
        {
            var saved = 0;
            foreach (var instance in instances)
            {
                saved += Execute(c, tx, $"""
                    INSERT INTO instances ({InstanceColumns})
                    VALUES (@service, @n, @node, @node_name, @status, @detail, @cpu, @memory, @memory_percent,
                            @restarts, @exit, @pid, @host_ip, @host_port, @started, @updated, @deleting, @instance_ip)
                    """ + UpsertInstance,
                    ("@service", instance.ServiceId), ("@n", instance.InstanceNumber), ("@node", instance.NodeId), ("@node_name", instance.NodeName),
                    ("@status", instance.Status.ToWireName()), ("@detail", instance.Detail), ("@cpu", instance.CpuPercent), ("@memory", instance.Memory),
                    ("@memory_percent", instance.MemoryPercent), ("@restarts", instance.RestartCount), ("@exit", instance.ExitCode), ("@pid", instance.Pid),
                    ("@host_ip", instance.HostIp), ("@host_port", instance.HostPort), ("@started", Time(instance.StartedAt)),
                    ("@updated", Time(instance.UpdatedAt)), ("@deleting", instance.Deleting ? 1 : 0), ("@instance_ip", instance.InstanceIp));
            }

            // Only once every row is written: a failed batch leaves the cache as the table (the transaction rolls back).
            foreach (var instance in instances)
            {
                _instances.Put(instance);
            }

            return saved;
        }, ct);

    public Task DeleteInstanceAsync(string serviceId, int instanceNumber, CancellationToken ct) =>
        WriteInstancesAsync((c, tx) =>
        {
            var deleted = Execute(c, tx, "DELETE FROM instances WHERE service_id = @id AND instance_number = @n", ("@id", serviceId), ("@n", instanceNumber));
            _instances.Remove(serviceId, instanceNumber);
            return deleted;
        }, ct);

    /// <summary>A write to the instances table that also changes <see cref="_instances"/>; a failed one drops the cache (loaded again).</summary>
    private async Task<T> WriteInstancesAsync<T>(Func<DbConnection, DbTransaction, T> write, CancellationToken ct)
    {
        try
        {
            return await WriteAsync(write, ct);
        }
        catch
        {
            _instances.Invalidate();
            throw;
        }
    }

    /// <summary>Loads the cache unless it is loaded, under the write lock; false when that failed (the callers read the table).</summary>
    private async Task<bool> LoadInstancesAsync(CancellationToken ct)
    {
        if (_instances.IsLoaded)
        {
            return true;
        }

        try
        {
            await WriteAsync((c, tx) =>
            {
                if (!_instances.IsLoaded)
                {
                    _instances.Load(Query(c, tx, $"SELECT {InstanceColumns} FROM instances", ReadInstance));
                }

                return 0;
            }, ct);
            return true;
        }
        catch (Exception e) when (e is DbException or InvalidDataException)
        {
            return false;
        }
    }

    private Task<IReadOnlyList<InstanceRecord>> QueryInstancesAsync(string where, string? parameter, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<InstanceRecord>>(c => Query(c, null,
            $"SELECT {InstanceColumns} FROM instances {where} ORDER BY service_id, instance_number", ReadInstance, ("@p", parameter)), ct);

    private static InstanceRecord ReadInstance(DbDataReader r) => new()
    {
        ServiceId = r.GetString(0),
        InstanceNumber = r.GetInt32(1),
        NodeId = StringOrNull(r, 2),
        NodeName = StringOrNull(r, 3),
        Status = InstanceStatusExtensions.TryParseWireName(r.GetString(4), out var status)
            ? status
            : throw new InvalidDataException($"instance {r.GetString(0)}.{r.GetInt32(1)} has unknown status '{r.GetString(4)}'"),
        Detail = StringOrNull(r, 5),
        CpuPercent = DoubleOrNull(r, 6),
        Memory = DoubleOrNull(r, 7),
        MemoryPercent = DoubleOrNull(r, 8),
        RestartCount = r.GetInt32(9),
        ExitCode = IntOrNull(r, 10),
        Pid = IntOrNull(r, 11),
        HostIp = StringOrNull(r, 12),
        HostPort = StringOrNull(r, 13),
        StartedAt = ReadTimeOrNull(r, 14),
        UpdatedAt = ReadTime(r, 15),
        Deleting = Flag(r, 16),
        InstanceIp = StringOrNull(r, 17),
    };
}
