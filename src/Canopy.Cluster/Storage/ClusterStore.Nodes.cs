using System.Data.Common;
using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Contracts.Registration;

namespace Canopy.Cluster.Storage;

internal sealed partial class ClusterStore
{
    private const string NodeColumns = "id, host, ip, static_info, mqtt_password, subnet, registered_at, last_seen, active, information, secret_hash";

    private static readonly string UpsertNode = OnConflictReplace(NodeColumns, "id");

    private readonly NodeCache _nodes = new();

    public async Task<NodeRecord?> GetNodeAsync(string id, CancellationToken ct)
    {
        await LoadNodesAsync(ct);
        var node = _nodes.Get(id, out var loaded);
        return loaded ? node : await ReadAsync(c => QueryNodes(c, null, "WHERE id = @p", id).FirstOrDefault(), ct);
    }

    public Task<NodeRecord?> FindNodeBySecretAsync(string secretHash, CancellationToken ct) =>
        ReadAsync(c => QueryNodes(c, null, "WHERE secret_hash = @p", secretHash).FirstOrDefault(), ct);

    public async Task<IReadOnlyList<NodeRecord>> ListNodesAsync(CancellationToken ct) =>
        await LoadNodesAsync(ct) && _nodes.List() is { } nodes ? nodes
            : await ReadAsync<IReadOnlyList<NodeRecord>>(c => QueryNodes(c, null, "ORDER BY registered_at", null), ct);

    public Task SaveNodeAsync(NodeRecord node, CancellationToken ct) => WriteNodesAsync((c, tx) =>
    {
        SaveNode(c, tx, node);
        _nodes.Put(node);
        return 0;
    }, ct);

    public Task<bool> AddNodeAsync(NodeRecord node, string? joinTokenId, CancellationToken ct) =>
        WriteNodesAsync((c, tx) =>
        {
            if (joinTokenId is not null && !UseNodeToken(c, tx, joinTokenId))
            {
                return false;
            }

            SaveNode(c, tx, node);
            _nodes.Put(node);
            return true;
        }, ct);

    public Task SaveNodeInformationAsync(string id, NodeInformation information, DateTimeOffset seen, CancellationToken ct) =>
        WriteNodesAsync((c, tx) =>
        {
            Execute(c, tx,
                "UPDATE nodes SET information = @info, last_seen = @seen, active = 1, ip = COALESCE(@ip, ip) WHERE id = @id",
                ("@id", id), ("@info", CanopyJson.Serialize(information)), ("@seen", Time(seen)), ("@ip", information.Ip));
            _nodes.Update(id, n => n with { Latest = information, LastSeen = seen, Active = true, Ip = information.Ip ?? n.Ip });
            return 0;
        }, ct);

    public Task SaveNodeInformationBatchAsync(
        IReadOnlyCollection<(string Id, NodeInformation Information, DateTimeOffset Seen)> heartbeats, CancellationToken ct) =>
        WriteNodesAsync((c, tx) =>
        {
            using var command = Command(c, tx,
                "UPDATE nodes SET information = @info, last_seen = @seen, ip = COALESCE(@ip, ip) WHERE id = @id AND active = 1");
            var id = TextParameter(command, "@id");
            var info = TextParameter(command, "@info");
            var seen = TextParameter(command, "@seen");
            var ip = TextParameter(command, "@ip");
            command.Prepare();
            foreach (var heartbeat in heartbeats)
            {
                id.Value = heartbeat.Id;
                info.Value = CanopyJson.Serialize(heartbeat.Information);
                seen.Value = Time(heartbeat.Seen);
                ip.Value = (object?)heartbeat.Information.Ip ?? DBNull.Value;
                command.ExecuteNonQuery();
                _nodes.Update(heartbeat.Id, n => n.Active
                    ? n with { Latest = heartbeat.Information, LastSeen = heartbeat.Seen, Ip = heartbeat.Information.Ip ?? n.Ip }
                    : null);
            }

            return heartbeats.Count;
        }, ct);

    public async Task<IReadOnlyList<string>> ListActiveNodeIdsAsync(CancellationToken ct) =>
        await LoadNodesAsync(ct) && _nodes.ActiveIds() is { } ids ? ids
            : await ReadAsync<IReadOnlyList<string>>(c => Query(c, null, "SELECT id FROM nodes WHERE active = 1", r => r.GetString(0)), ct);

    public Task DeleteNodeAsync(string id, CancellationToken ct) =>
        WriteNodesAsync((c, tx) =>
        {
            Execute(c, tx, "DELETE FROM nodes WHERE id = @id", ("@id", id));
            _nodes.Remove(id);
            return 0;
        }, ct);

    public Task SetNodeActiveAsync(string id, bool active, CancellationToken ct) =>
        WriteNodesAsync((c, tx) =>
        {
            Execute(c, tx, "UPDATE nodes SET active = @active WHERE id = @id", ("@id", id), ("@active", active ? 1 : 0));
            _nodes.Update(id, n => n with { Active = active });
            return 0;
        }, ct);

    /// <summary>
    /// A write to the nodes table that also changes <see cref="_nodes"/> (inside the write lock, so in the table's order); when the
    /// transaction fails after the cache changed, the cache is dropped and loaded again from the table.
    /// </summary>
    private async Task<T> WriteNodesAsync<T>(Func<DbConnection, DbTransaction, T> write, CancellationToken ct)
    {
        try
        {
            return await WriteAsync(write, ct);
        }
        catch
        {
            _nodes.Invalidate();
            throw;
        }
    }

    /// <summary>
    /// Loads the cache unless it is loaded, under the write lock (no write can slip between the read and the load); false when that
    /// failed (the callers read the table).
    /// </summary>
    private async Task<bool> LoadNodesAsync(CancellationToken ct)
    {
        if (_nodes.IsLoaded)
        {
            return true;
        }

        try
        {
            await WriteAsync((c, tx) =>
            {
                if (!_nodes.IsLoaded)
                {
                    _nodes.Load(QueryNodes(c, tx, "", null));
                }

                return 0;
            }, ct);
            return true;
        }
        catch (Exception e) when (e is DbException or InvalidDataException or System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static DbParameter TextParameter(DbCommand command, string name)
    {
        var parameter = Parameter(command, name, null);
        parameter.DbType = System.Data.DbType.String;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static int SaveNode(DbConnection c, DbTransaction tx, NodeRecord node) =>
        Execute(c, tx, $"""
                INSERT INTO nodes ({NodeColumns})
                VALUES (@id, @host, @ip, @static, @password, @subnet, @registered, @seen, @active, @info, @secret)
                """ + UpsertNode,
            ("@id", node.Id), ("@host", node.Host), ("@ip", node.Ip), ("@static", CanopyJson.Serialize(node.StaticInfo)),
            ("@password", node.MqttPassword), ("@subnet", node.Subnet), ("@registered", Time(node.RegisteredAt)), ("@seen", Time(node.LastSeen)),
            ("@active", node.Active ? 1 : 0), ("@info", node.Latest is null ? null : CanopyJson.Serialize(node.Latest)), ("@secret", node.SecretHash));

    private static List<NodeRecord> QueryNodes(DbConnection c, DbTransaction? tx, string where, string? parameter) =>
        Query(c, tx, $"SELECT {NodeColumns} FROM nodes {where}", ReadNode, ("@p", parameter));

    private static NodeRecord ReadNode(DbDataReader reader) => new()
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
        Active = Flag(reader, 8),
        Latest = StringOrNull(reader, 9) is { } info ? CanopyJson.Deserialize<NodeInformation>(info) : null,
        SecretHash = StringOrNull(reader, 10),
    };
}
