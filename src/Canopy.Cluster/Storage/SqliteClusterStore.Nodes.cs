using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Contracts.Registration;
using Microsoft.Data.Sqlite;

namespace Canopy.Cluster.Storage;

internal sealed partial class SqliteClusterStore
{
    private const string NodeColumns = "id, host, ip, static_info, mqtt_password, subnet, registered_at, last_seen, active, information";

    public async Task<NodeRecord?> GetNodeAsync(string id, CancellationToken ct) =>
        (await QueryNodesAsync("WHERE id = $p", id, ct)).FirstOrDefault();

    public async Task<NodeRecord?> FindNodeByHostAsync(string host, CancellationToken ct) =>
        (await QueryNodesAsync("WHERE host = $p ORDER BY registered_at", host, ct)).FirstOrDefault();

    public Task<IReadOnlyList<NodeRecord>> ListNodesAsync(CancellationToken ct) => QueryNodesAsync("ORDER BY registered_at", null, ct);

    public async Task SaveNodeAsync(NodeRecord node, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT OR REPLACE INTO nodes ({NodeColumns})
            VALUES ($id, $host, $ip, $static, $password, $subnet, $registered, $seen, $active, $info)
            """;
        command.Parameters.AddWithValue("$id", node.Id);
        command.Parameters.AddWithValue("$host", node.Host);
        command.Parameters.AddWithValue("$ip", Db(node.Ip));
        command.Parameters.AddWithValue("$static", CanopyJson.Serialize(node.StaticInfo));
        command.Parameters.AddWithValue("$password", node.MqttPassword);
        command.Parameters.AddWithValue("$subnet", Db(node.Subnet));
        command.Parameters.AddWithValue("$registered", Time(node.RegisteredAt));
        command.Parameters.AddWithValue("$seen", Time(node.LastSeen));
        command.Parameters.AddWithValue("$active", node.Active ? 1 : 0);
        command.Parameters.AddWithValue("$info", node.Latest is null ? DBNull.Value : CanopyJson.Serialize(node.Latest));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task SaveNodeInformationAsync(string id, NodeInformation information, DateTimeOffset seen, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE nodes SET information = $info, last_seen = $seen, active = 1, ip = COALESCE($ip, ip) WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$info", CanopyJson.Serialize(information));
        command.Parameters.AddWithValue("$seen", Time(seen));
        command.Parameters.AddWithValue("$ip", Db(information.Ip));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task DeleteNodeAsync(string id, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM nodes WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task SetNodeActiveAsync(string id, bool active, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE nodes SET active = $active WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$active", active ? 1 : 0);
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<IReadOnlyList<NodeRecord>> QueryNodesAsync(string where, string? parameter, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {NodeColumns} FROM nodes {where}";
        if (parameter is not null)
        {
            command.Parameters.AddWithValue("$p", parameter);
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        var nodes = new List<NodeRecord>();
        while (await reader.ReadAsync(ct))
        {
            nodes.Add(ReadNode(reader));
        }

        return nodes;
    }

    private static NodeRecord ReadNode(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Host = reader.GetString(1),
        Ip = ReadString(reader, 2),
        StaticInfo = CanopyJson.Deserialize<NodeRegisterRequest>(reader.GetString(3))
            ?? throw new InvalidDataException($"node {reader.GetString(0)} has no static information"),
        MqttPassword = reader.GetString(4),
        Subnet = ReadString(reader, 5),
        RegisteredAt = ReadTime(reader, 6) ?? DateTimeOffset.MinValue,
        LastSeen = ReadTime(reader, 7),
        Active = reader.GetInt64(8) != 0,
        Latest = ReadString(reader, 9) is { } info ? CanopyJson.Deserialize<NodeInformation>(info) : null,
    };
}
