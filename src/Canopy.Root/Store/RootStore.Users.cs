using System.Data.Common;

namespace Canopy.Root.Store;

public sealed partial class RootStore
{
    private const string UserColumns = "name, password_hash, email, created_at";

    public Task<int> CountUsersAsync(CancellationToken ct) =>
        ReadAsync(c => (int)Scalar(c, null, "SELECT COUNT(*) FROM users"), ct);

    public Task<UserRecord?> GetUserAsync(string name, CancellationToken ct) =>
        ReadAsync(c => Query(c, null, $"SELECT {UserColumns} FROM users WHERE name = @name", ReadUser, ("@name", name)).FirstOrDefault(), ct);

    public Task<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<UserRecord>>(c => Query(c, null, $"SELECT {UserColumns} FROM users ORDER BY name", ReadUser), ct);

    public Task<bool> AddUserAsync(UserRecord user, MembershipRecord membership, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            if (Scalar(c, tx, "SELECT COUNT(*) FROM users WHERE name = @name", ("@name", user.Name)) > 0)
            {
                throw new StoreConflictException($"user '{user.Name}' already exists");
            }

            if (!OrganizationExists(c, tx, membership.OrganizationId))
            {
                return false;
            }

            Execute(c, tx, $"INSERT INTO users ({UserColumns}) VALUES (@name, @hash, @email, @created)", UserArgs(user));
            InsertMembership(c, tx, membership);
            return true;
        }, ct);

    public Task<bool> UpdateUserAsync(UserRecord user, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(
            c, tx, "UPDATE users SET password_hash = @hash, email = @email, created_at = @created WHERE name = @name",
            UserArgs(user)) > 0, ct);

    public Task<bool> DeleteUserAsync(string name, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            Execute(c, tx, "DELETE FROM memberships WHERE user_name = @name", ("@name", name));
            return Execute(c, tx, "DELETE FROM users WHERE name = @name", ("@name", name)) > 0;
        }, ct);

    public Task RevokeTokenAsync(string tokenId, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            Execute(c, tx, "DELETE FROM revoked_tokens WHERE expires_at < @now", ("@now", Time(now)));
            return Execute(c, tx, "INSERT INTO revoked_tokens (id, expires_at) VALUES (@id, @expires) ON CONFLICT (id) DO NOTHING",
                ("@id", tokenId), ("@expires", Time(expiresAt)));
        }, ct);

    public Task<bool> IsTokenRevokedAsync(string tokenId, CancellationToken ct) =>
        ReadAsync(c => Scalar(c, null, "SELECT COUNT(*) FROM revoked_tokens WHERE id = @id", ("@id", tokenId)) > 0, ct);

    private static (string, object?)[] UserArgs(UserRecord user) =>
    [
        ("@name", user.Name), ("@hash", user.PasswordHash), ("@email", user.Email), ("@created", Time(user.CreatedAt)),
    ];

    private static UserRecord ReadUser(DbDataReader r) => new(r.GetString(0), r.GetString(1), StringOrNull(r, 2), ReadTime(r, 3));
}
