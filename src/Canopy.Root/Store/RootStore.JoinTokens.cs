using System.Data.Common;

namespace Canopy.Root.Store;

public sealed partial class RootStore
{
    private const string JoinTokenColumns = "id, kind, secret_hash, description, created_at, created_by, expires_at, revoked, max_uses, uses";

    public Task AddJoinTokenAsync(JoinTokenRecord token, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(c, tx,
            $"INSERT INTO join_tokens ({JoinTokenColumns}) VALUES (@id, @kind, @hash, @description, @created, @by, @expires, @revoked, @max, @uses)",
            ("@id", token.Id), ("@kind", token.Kind), ("@hash", token.SecretHash), ("@description", token.Description),
            ("@created", Time(token.CreatedAt)), ("@by", token.CreatedBy), ("@expires", Time(token.ExpiresAt)), ("@revoked", token.Revoked ? 1 : 0),
            ("@max", token.MaxUses), ("@uses", token.Uses)), ct);

    public Task<JoinTokenRecord?> FindJoinTokenAsync(string kind, string secretHash, CancellationToken ct) =>
        ReadAsync(c => Query(c, null, $"SELECT {JoinTokenColumns} FROM join_tokens WHERE kind = @kind AND secret_hash = @hash",
            ReadJoinToken, ("@kind", kind), ("@hash", secretHash)).FirstOrDefault(), ct);

    public Task<IReadOnlyList<JoinTokenRecord>> ListJoinTokensAsync(string kind, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<JoinTokenRecord>>(c => Query(c, null,
            $"SELECT {JoinTokenColumns} FROM join_tokens WHERE kind = @kind ORDER BY created_at, id", ReadJoinToken, ("@kind", kind)), ct);

    public Task<JoinTokenRecord?> RevokeJoinTokenAsync(string kind, string id, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            Execute(c, tx, "UPDATE join_tokens SET revoked = 1 WHERE kind = @kind AND id = @id", ("@kind", kind), ("@id", id));
            return Query(c, tx, $"SELECT {JoinTokenColumns} FROM join_tokens WHERE kind = @kind AND id = @id",
                ReadJoinToken, ("@kind", kind), ("@id", id)).FirstOrDefault();
        }, ct);

    /// <summary>Counts one use of a token, unless it has none left (another registration may have taken the last one meanwhile).</summary>
    private static bool UseJoinToken(DbConnection c, DbTransaction tx, string id) =>
        Execute(c, tx, "UPDATE join_tokens SET uses = uses + 1 WHERE id = @id AND (max_uses IS NULL OR uses < max_uses)", ("@id", id)) == 1;

    private static JoinTokenRecord ReadJoinToken(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        Kind = r.GetString(1),
        SecretHash = r.GetString(2),
        Description = StringOrNull(r, 3),
        CreatedAt = ReadTime(r, 4),
        CreatedBy = StringOrNull(r, 5),
        ExpiresAt = ReadTimeOrNull(r, 6),
        Revoked = Flag(r, 7),
        MaxUses = IntOrNull(r, 8),
        Uses = r.GetInt32(9),
    };
}
