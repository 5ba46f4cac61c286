using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Contracts.Registration;
using Microsoft.Data.Sqlite;

namespace Canopy.Cluster.Storage;

internal sealed partial class SqliteClusterStore
{
    private const string NodeColumns = "id, host, ip, static_info, mqtt_password, subnet, registered_at, last_seen, active, information, secret_hash";

    public Task<NodeRecord?> GetNodeAsync(string id, CancellationToken ct) =>
        ReadAsync(c => QueryNodes(c, null, "WHERE id = $p", id).FirstOrDefault(), ct);

    public Task<NodeRecord?> FindNodeBySecretAsync(string secretHash, CancellationToken ct) =>
        ReadAsync(c => QueryNodes(c, null, "WHERE secret_hash = $p", secretHash).FirstOrDefault(), ct);

    public Task<IReadOnlyList<NodeRecord>> ListNodesAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<NodeRecord>>(c => QueryNodes(c, null, "ORDER BY registered_at", null), ct);

    public Task SaveNodeAsync(NodeRecord node, CancellationToken ct) => WriteAsync((c, tx) => SaveNode(c, tx, node), ct);

    public Task<bool> AddNodeAsync(NodeRecord node, string? joinTokenId, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            if (joinTokenId is not null && !UseNodeToken(c, tx, joinTokenId))
            {
                return false;
            }

            SaveNode(c, tx, node);
            return true;
        }, ct);

    public Task SaveNodeInformationAsync(string id, NodeInformation information, DateTimeOffset seen, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(c, tx,
            "UPDATE nodes SET information = $info, last_seen = $seen, active = 1, ip = COALESCE($ip, ip) WHERE id = $id",
            ("$id", id), ("$info", CanopyJson.Serialize(information)), ("$seen", Time(seen)), ("$ip", information.Ip)), ct);

    public Task SaveNodeInformationBatchAsync(
        IReadOnlyCollection<(string Id, NodeInformation Information, DateTimeOffset Seen)> heartbeats, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "UPDATE nodes SET information = $info, last_seen = $seen, ip = COALESCE($ip, ip) WHERE id = $id AND active = 1";
            var id = command.Parameters.Add("$id", SqliteType.Text);
            var info = command.Parameters.Add("$info", SqliteType.Text);
            var seen = command.Parameters.Add("$seen", SqliteType.Text);
            var ip = command.Parameters.Add("$ip", SqliteType.Text);
            command.Prepare();
            foreach (var heartbeat in heartbeats)
            {
                id.Value = heartbeat.Id;
                info.Value = CanopyJson.Serialize(heartbeat.Information);
                seen.Value = Time(heartbeat.Seen);
                ip.Value = (object?)heartbeat.Information.Ip ?? DBNull.Value;
                command.ExecuteNonQuery();
            }

            return heartbeats.Count;
        }, ct);

    public Task<IReadOnlyList<string>> ListActiveNodeIdsAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<string>>(c => Query(c, null, "SELECT id FROM nodes WHERE active = 1", r => r.GetString(0)), ct);

    public Task DeleteNodeAsync(string id, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(c, tx, "DELETE FROM nodes WHERE id = $id", ("$id", id)), ct);

    public Task SetNodeActiveAsync(string id, bool active, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(c, tx, "UPDATE nodes SET active = $active WHERE id = $id", ("$id", id), ("$active", active ? 1 : 0)), ct);

    private static int SaveNode(SqliteConnection c, SqliteTransaction tx, NodeRecord node) =>
        Execute(c, tx, $"""
                INSERT OR REPLACE INTO nodes ({NodeColumns})
                VALUES ($id, $host, $ip, $static, $password, $subnet, $registered, $seen, $active, $info, $secret)
                """,
            ("$id", node.Id), ("$host", node.Host), ("$ip", node.Ip), ("$static", CanopyJson.Serialize(node.StaticInfo)),
            ("$password", node.MqttPassword), ("$subnet", node.Subnet), ("$registered", Time(node.RegisteredAt)), ("$seen", Time(node.LastSeen)),
            ("$active", node.Active ? 1 : 0), ("$info", node.Latest is null ? null : CanopyJson.Serialize(node.Latest)), ("$secret", node.SecretHash));

    private static List<NodeRecord> QueryNodes(SqliteConnection c, SqliteTransaction? tx, string where, string? parameter) =>
        Query(c, tx, $"SELECT {NodeColumns} FROM nodes {where}", ReadNode, ("$p", parameter));

    private static NodeRecord ReadNode(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Host = reader.GetString(1),
        Ip = StringOrNull(reader, 2),
        StaticInfo = CanopyJson.Deserialize<NodeRegisterRequest>(reader.GetString(3))
            ?? throw new InvalidDataException($"node {reader.GetString(0)} has no static information"),
        MqttPassword = reader.GetString(4),
        Subnet = StringOrNull(reader, 5),
        RegisteredAt = ReadTime(reader, 6),
        LastSeen = ReadTimeOrNull(reader, 7),
        Active = reader.GetInt64(8) != 0,
        Latest = StringOrNull(reader, 9) is { } info ? CanopyJson.Deserialize<NodeInformation>(info) : null,
        SecretHash = StringOrNull(reader, 10),
    };
}
