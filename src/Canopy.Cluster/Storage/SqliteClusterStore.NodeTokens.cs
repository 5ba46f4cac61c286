using Microsoft.Data.Sqlite;

namespace Canopy.Cluster.Storage;

internal sealed partial class SqliteClusterStore
{
    private const string NodeTokenColumns = "id, secret_hash, description, created_at, created_by, expires_at, revoked";

    public async Task AddNodeTokenAsync(NodeTokenRecord token, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO node_tokens ({NodeTokenColumns}) VALUES ($id, $hash, $description, $created, $by, $expires, 0)";
        command.Parameters.AddWithValue("$id", token.Id);
        command.Parameters.AddWithValue("$hash", token.SecretHash);
        command.Parameters.AddWithValue("$description", Db(token.Description));
        command.Parameters.AddWithValue("$created", Time(token.CreatedAt));
        command.Parameters.AddWithValue("$by", Db(token.CreatedBy));
        command.Parameters.AddWithValue("$expires", Time(token.ExpiresAt));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<NodeTokenRecord?> FindNodeTokenAsync(string secretHash, CancellationToken ct) =>
        (await QueryNodeTokensAsync("WHERE secret_hash = $p", secretHash, ct)).FirstOrDefault();

    public Task<IReadOnlyList<NodeTokenRecord>> ListNodeTokensAsync(CancellationToken ct) =>
        QueryNodeTokensAsync("ORDER BY created_at, id", null, ct);

    public async Task<NodeTokenRecord?> RevokeNodeTokenAsync(string id, CancellationToken ct)
    {
        await using (var connection = Open())
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "UPDATE node_tokens SET revoked = 1 WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            await command.ExecuteNonQueryAsync(ct);
        }

        return (await QueryNodeTokensAsync("WHERE id = $p", id, ct)).FirstOrDefault();
    }

    private async Task<IReadOnlyList<NodeTokenRecord>> QueryNodeTokensAsync(string where, string? parameter, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {NodeTokenColumns} FROM node_tokens {where}";
        if (parameter is not null)
        {
            command.Parameters.AddWithValue("$p", parameter);
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        var tokens = new List<NodeTokenRecord>();
        while (await reader.ReadAsync(ct))
        {
            tokens.Add(ReadNodeToken(reader));
        }

        return tokens;
    }

    private static NodeTokenRecord ReadNodeToken(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        SecretHash = reader.GetString(1),
        Description = ReadString(reader, 2),
        CreatedAt = ReadTime(reader, 3) ?? DateTimeOffset.MinValue,
        CreatedBy = ReadString(reader, 4),
        ExpiresAt = ReadTime(reader, 5),
        Revoked = reader.GetInt64(6) != 0,
    };
}
