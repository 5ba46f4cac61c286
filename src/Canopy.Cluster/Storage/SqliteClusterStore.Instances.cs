using Canopy.Core.States;
using Microsoft.Data.Sqlite;

namespace Canopy.Cluster.Storage;

internal sealed partial class SqliteClusterStore
{
    private const string InstanceColumns =
        "service_id, instance_number, node_id, node_name, status, detail, cpu_percent, memory, memory_percent, " +
        "restart_count, exit_code, pid, host_ip, host_port, started_at, updated_at, deleting, instance_ip";

    public Task<InstanceRecord?> GetInstanceAsync(string serviceId, int instanceNumber, CancellationToken ct) =>
        ReadAsync(c => Query(c, null, $"SELECT {InstanceColumns} FROM instances WHERE service_id = $id AND instance_number = $n",
            ReadInstance, ("$id", serviceId), ("$n", instanceNumber)).FirstOrDefault(), ct);

    public Task<IReadOnlyList<InstanceRecord>> ListInstancesAsync(CancellationToken ct) => QueryInstancesAsync("", null, ct);

    public Task<IReadOnlyList<InstanceRecord>> ListInstancesOfServiceAsync(string serviceId, CancellationToken ct) =>
        QueryInstancesAsync("WHERE service_id = $p", serviceId, ct);

    public Task<IReadOnlyList<InstanceRecord>> ListInstancesOnNodeAsync(string nodeId, CancellationToken ct) =>
        QueryInstancesAsync("WHERE node_id = $p", nodeId, ct);

    public Task SaveInstanceAsync(InstanceRecord instance, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(c, tx, $"""
                INSERT OR REPLACE INTO instances ({InstanceColumns})
                VALUES ($service, $n, $node, $node_name, $status, $detail, $cpu, $memory, $memory_percent,
                        $restarts, $exit, $pid, $host_ip, $host_port, $started, $updated, $deleting, $instance_ip)
                """,
            ("$service", instance.ServiceId), ("$n", instance.InstanceNumber), ("$node", instance.NodeId), ("$node_name", instance.NodeName),
            ("$status", instance.Status.ToWireName()), ("$detail", instance.Detail), ("$cpu", instance.CpuPercent), ("$memory", instance.Memory),
            ("$memory_percent", instance.MemoryPercent), ("$restarts", instance.RestartCount), ("$exit", instance.ExitCode), ("$pid", instance.Pid),
            ("$host_ip", instance.HostIp), ("$host_port", instance.HostPort), ("$started", Time(instance.StartedAt)),
            ("$updated", Time(instance.UpdatedAt)), ("$deleting", instance.Deleting ? 1 : 0), ("$instance_ip", instance.InstanceIp)), ct);

    public Task DeleteInstanceAsync(string serviceId, int instanceNumber, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(c, tx, "DELETE FROM instances WHERE service_id = $id AND instance_number = $n",
            ("$id", serviceId), ("$n", instanceNumber)), ct);

    private Task<IReadOnlyList<InstanceRecord>> QueryInstancesAsync(string where, string? parameter, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<InstanceRecord>>(c => Query(c, null,
            $"SELECT {InstanceColumns} FROM instances {where} ORDER BY service_id, instance_number", ReadInstance, ("$p", parameter)), ct);

    private static InstanceRecord ReadInstance(SqliteDataReader r) => new()
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
        Deleting = r.GetInt64(16) != 0,
        InstanceIp = StringOrNull(r, 17),
    };
}
