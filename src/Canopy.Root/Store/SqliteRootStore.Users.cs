using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Canopy.Root.Store;

public sealed partial class SqliteRootStore
{
    private const string UserColumns = "name, password_hash, roles, email, created_at";

    public Task<int> CountUsersAsync(CancellationToken ct) =>
        ReadAsync(c => (int)Scalar(c, null, "SELECT COUNT(*) FROM users"), ct);

    public Task<UserRecord?> GetUserAsync(string name, CancellationToken ct) =>
        ReadAsync(c => Query(c, null, $"SELECT {UserColumns} FROM users WHERE name = $name", ReadUser, ("$name", name)).FirstOrDefault(), ct);

    public Task<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<UserRecord>>(c => Query(c, null, $"SELECT {UserColumns} FROM users ORDER BY name", ReadUser), ct);

    public Task AddUserAsync(UserRecord user, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            if (Scalar(c, tx, "SELECT COUNT(*) FROM users WHERE name = $name", ("$name", user.Name)) > 0)
            {
                throw new StoreConflictException($"user '{user.Name}' already exists");
            }

            Execute(c, tx, $"INSERT INTO users ({UserColumns}) VALUES ($name, $hash, $roles, $email, $created)", UserArgs(user));
            return true;
        }, ct);

    public Task<bool> UpdateUserAsync(UserRecord user, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(
            c, tx, "UPDATE users SET password_hash = $hash, roles = $roles, email = $email, created_at = $created WHERE name = $name",
            UserArgs(user)) > 0, ct);

    public Task<bool> DeleteUserAsync(string name, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(c, tx, "DELETE FROM users WHERE name = $name", ("$name", name)) > 0, ct);

    private static (string, object?)[] UserArgs(UserRecord user) =>
    [
        ("$name", user.Name), ("$hash", user.PasswordHash), ("$roles", JsonSerializer.Serialize(user.Roles)),
        ("$email", user.Email), ("$created", Time(user.CreatedAt)),
    ];

    private static UserRecord ReadUser(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), JsonSerializer.Deserialize<List<string>>(r.GetString(2)) ?? [], StringOrNull(r, 3), ReadTime(r, 4));
}
