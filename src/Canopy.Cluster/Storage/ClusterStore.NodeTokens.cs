using System.Data.Common;

namespace Canopy.Cluster.Storage;

internal sealed partial class ClusterStore
{
    private const string NodeTokenColumns = "id, secret_hash, description, created_at, created_by, expires_at, revoked, max_uses, uses";

    public Task AddNodeTokenAsync(NodeTokenRecord token, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(c, tx,
            $"INSERT INTO node_tokens ({NodeTokenColumns}) VALUES (@id, @hash, @description, @created, @by, @expires, 0, @max, 0)",
            ("@id", token.Id), ("@hash", token.SecretHash), ("@description", token.Description), ("@created", Time(token.CreatedAt)),
            ("@by", token.CreatedBy), ("@expires", Time(token.ExpiresAt)), ("@max", token.MaxUses)), ct);

    public Task<NodeTokenRecord?> FindNodeTokenAsync(string secretHash, CancellationToken ct) =>
        ReadAsync(c => QueryNodeTokens(c, null, "WHERE secret_hash = @p", secretHash).FirstOrDefault(), ct);

    public Task<IReadOnlyList<NodeTokenRecord>> ListNodeTokensAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<NodeTokenRecord>>(c => QueryNodeTokens(c, null, "ORDER BY created_at, id", null), ct);

    public Task<NodeTokenRecord?> RevokeNodeTokenAsync(string id, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            Execute(c, tx, "UPDATE node_tokens SET revoked = 1 WHERE id = @id", ("@id", id));
            return QueryNodeTokens(c, tx, "WHERE id = @p", id).FirstOrDefault();
        }, ct);

    /// <summary>Counts one use of a token, unless it has none left (another registration may have taken the last one meanwhile).</summary>
    private static bool UseNodeToken(DbConnection c, DbTransaction tx, string id) =>
        Execute(c, tx, "UPDATE node_tokens SET uses = uses + 1 WHERE id = @id AND (max_uses IS NULL OR uses < max_uses)", ("@id", id)) == 1;

    private static List<NodeTokenRecord> QueryNodeTokens(DbConnection c, DbTransaction? tx, string where, string? parameter) =>
        Query(c, tx, $"SELECT {NodeTokenColumns} FROM node_tokens {where}", ReadNodeToken, ("@p", parameter));

    private static NodeTokenRecord ReadNodeToken(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        SecretHash = reader.GetString(1),
        Description = StringOrNull(reader, 2),
        CreatedAt = ReadTime(reader, 3),
        CreatedBy = StringOrNull(reader, 4),
        ExpiresAt = ReadTimeOrNull(reader, 5),
        Revoked = Flag(reader, 6),
        MaxUses = IntOrNull(reader, 7),
        Uses = reader.GetInt32(8),
    };
}
