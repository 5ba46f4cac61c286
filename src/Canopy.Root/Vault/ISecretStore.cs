namespace Canopy.Root.Vault;

/// <summary>The root's stored secrets, by scope and name. SQLite now (the root's store), PostgreSQL with it later.</summary>
public interface ISecretStore
{
    /// <summary>Throws <see cref="Store.StoreConflictException"/> when the scope has a secret of that name.</summary>
    Task AddSecretAsync(SecretRecord secret, CancellationToken ct);

    Task<SecretRecord?> GetSecretAsync(string scope, string name, CancellationToken ct);

    Task<IReadOnlyList<SecretRecord>> ListSecretsAsync(string scope, CancellationToken ct);

    Task<bool> DeleteSecretAsync(string scope, string name, CancellationToken ct);
}
