using Canopy.Core.States;
using Microsoft.Data.Sqlite;

namespace Canopy.Cluster.Storage;

internal sealed partial class SqliteClusterStore
{
    private const string InstanceColumns =
        "service_id, instance_number, node_id, node_name, status, detail, cpu_percent, memory, memory_percent, " +
        "restart_count, exit_code, pid, host_ip, host_port, started_at, updated_at, deleting";

    public async Task<InstanceRecord?> GetInstanceAsync(string serviceId, int instanceNumber, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {InstanceColumns} FROM instances WHERE service_id = $id AND instance_number = $n";
        command.Parameters.AddWithValue("$id", serviceId);
        command.Parameters.AddWithValue("$n", instanceNumber);
        return (await ReadInstancesAsync(command, ct)).FirstOrDefault();
    }

    public Task<IReadOnlyList<InstanceRecord>> ListInstancesAsync(CancellationToken ct) => QueryInstancesAsync("", null, ct);

    public Task<IReadOnlyList<InstanceRecord>> ListInstancesOfServiceAsync(string serviceId, CancellationToken ct) =>
        QueryInstancesAsync("WHERE service_id = $p", serviceId, ct);

    public Task<IReadOnlyList<InstanceRecord>> ListInstancesOnNodeAsync(string nodeId, CancellationToken ct) =>
        QueryInstancesAsync("WHERE node_id = $p", nodeId, ct);

    public async Task SaveInstanceAsync(InstanceRecord instance, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT OR REPLACE INTO instances ({InstanceColumns})
            VALUES ($service, $n, $node, $node_name, $status, $detail, $cpu, $memory, $memory_percent,
                    $restarts, $exit, $pid, $host_ip, $host_port, $started, $updated, $deleting)
            """;
        var p = command.Parameters;
        p.AddWithValue("$service", instance.ServiceId);
        p.AddWithValue("$n", instance.InstanceNumber);
        p.AddWithValue("$node", Db(instance.NodeId));
        p.AddWithValue("$node_name", Db(instance.NodeName));
        p.AddWithValue("$status", instance.Status.ToWireName());
        p.AddWithValue("$detail", Db(instance.Detail));
        p.AddWithValue("$cpu", Db(instance.CpuPercent));
        p.AddWithValue("$memory", Db(instance.Memory));
        p.AddWithValue("$memory_percent", Db(instance.MemoryPercent));
        p.AddWithValue("$restarts", instance.RestartCount);
        p.AddWithValue("$exit", Db(instance.ExitCode));
        p.AddWithValue("$pid", Db(instance.Pid));
        p.AddWithValue("$host_ip", Db(instance.HostIp));
        p.AddWithValue("$host_port", Db(instance.HostPort));
        p.AddWithValue("$started", Time(instance.StartedAt));
        p.AddWithValue("$updated", Time(instance.UpdatedAt));
        p.AddWithValue("$deleting", instance.Deleting ? 1 : 0);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task DeleteInstanceAsync(string serviceId, int instanceNumber, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM instances WHERE service_id = $id AND instance_number = $n";
        command.Parameters.AddWithValue("$id", serviceId);
        command.Parameters.AddWithValue("$n", instanceNumber);
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<IReadOnlyList<InstanceRecord>> QueryInstancesAsync(string where, string? parameter, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {InstanceColumns} FROM instances {where} ORDER BY service_id, instance_number";
        if (parameter is not null)
        {
            command.Parameters.AddWithValue("$p", parameter);
        }

        return await ReadInstancesAsync(command, ct);
    }

    private static async Task<IReadOnlyList<InstanceRecord>> ReadInstancesAsync(SqliteCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var instances = new List<InstanceRecord>();
        while (await reader.ReadAsync(ct))
        {
            instances.Add(ReadInstance(reader));
        }

        return instances;
    }

    private static InstanceRecord ReadInstance(SqliteDataReader r) => new()
    {
        ServiceId = r.GetString(0),
        InstanceNumber = r.GetInt32(1),
        NodeId = ReadString(r, 2),
        NodeName = ReadString(r, 3),
        Status = InstanceStatusExtensions.TryParseWireName(r.GetString(4), out var status)
            ? status
            : throw new InvalidDataException($"instance {r.GetString(0)}.{r.GetInt32(1)} has unknown status '{r.GetString(4)}'"),
        Detail = ReadString(r, 5),
        CpuPercent = r.IsDBNull(6) ? null : r.GetDouble(6),
        Memory = r.IsDBNull(7) ? null : r.GetDouble(7),
        MemoryPercent = r.IsDBNull(8) ? null : r.GetDouble(8),
        RestartCount = r.GetInt32(9),
        ExitCode = r.IsDBNull(10) ? null : r.GetInt32(10),
        Pid = r.IsDBNull(11) ? null : r.GetInt32(11),
        HostIp = ReadString(r, 12),
        HostPort = ReadString(r, 13),
        StartedAt = ReadTime(r, 14),
        UpdatedAt = ReadTime(r, 15) ?? DateTimeOffset.MinValue,
        Deleting = r.GetInt64(16) != 0,
    };
}
