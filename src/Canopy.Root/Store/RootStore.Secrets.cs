using System.Data.Common;
using Canopy.Contracts;
using Canopy.Root.Vault;

namespace Canopy.Root.Store;

public sealed partial class RootStore : ISecretStore
{
    private const string SecretColumns = "scope, name, kind, keys, registry_host, sealed_value, created_at, created_by";

    public Task AddSecretAsync(SecretRecord secret, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            if (Scalar(c, tx, "SELECT COUNT(*) FROM secrets WHERE scope = @scope AND name = @name", ("@scope", secret.Scope), ("@name", secret.Name)) > 0)
            {
                throw new StoreConflictException($"a secret named '{secret.Name}' exists");
            }

            return Execute(c, tx,
                $"INSERT INTO secrets ({SecretColumns}) VALUES (@scope, @name, @kind, @keys, @host, @sealed, @created, @by)",
                ("@scope", secret.Scope), ("@name", secret.Name), ("@kind", secret.Kind), ("@keys", CanopyJson.Serialize(secret.Keys)),
                ("@host", secret.RegistryHost), ("@sealed", secret.SealedValue), ("@created", Time(secret.CreatedAt)), ("@by", secret.CreatedBy));
        }, ct);

    public Task<SecretRecord?> GetSecretAsync(string scope, string name, CancellationToken ct) =>
        ReadAsync(c => Query(c, null, $"SELECT {SecretColumns} FROM secrets WHERE scope = @scope AND name = @name",
            ReadSecret, ("@scope", scope), ("@name", name)).FirstOrDefault(), ct);

    public Task<IReadOnlyList<SecretRecord>> ListSecretsAsync(string scope, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<SecretRecord>>(c => Query(c, null, $"SELECT {SecretColumns} FROM secrets WHERE scope = @scope ORDER BY name",
            ReadSecret, ("@scope", scope)), ct);

    public Task<bool> DeleteSecretAsync(string scope, string name, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(c, tx, "DELETE FROM secrets WHERE scope = @scope AND name = @name", ("@scope", scope), ("@name", name)) == 1, ct);

    private static SecretRecord ReadSecret(DbDataReader r) => new()
    {
        Scope = r.GetString(0),
        Name = r.GetString(1),
        Kind = r.GetString(2),
        Keys = CanopyJson.Deserialize<List<string>>(r.GetString(3)) ?? [],
        RegistryHost = StringOrNull(r, 4),
        SealedValue = r.GetString(5),
        CreatedAt = ReadTime(r, 6),
        CreatedBy = StringOrNull(r, 7),
    };
}
