using System.Data.Common;

namespace Canopy.Root.Store;

public sealed partial class RootStore
{
    private const string ClusterColumns = "id, name, location, manager_url, credential_hash, registered_at, last_seen, resources, secret_hash";

    public Task<ClusterRecord?> FindClusterByNameAsync(string name, CancellationToken ct) =>
        ReadAsync(c => Query(c, null, $"SELECT {ClusterColumns} FROM clusters WHERE name = @name", ReadCluster, ("@name", name)).FirstOrDefault(), ct);

    public Task<ClusterRecord?> AddClusterAsync(ClusterRecord cluster, string? joinTokenId, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            if (Scalar(c, tx, "SELECT COUNT(*) FROM clusters WHERE name = @name", ("@name", cluster.Name)) > 0)
            {
                throw new StoreConflictException($"cluster name {cluster.Name} is taken");
            }

            if (joinTokenId is not null && !UseJoinToken(c, tx, joinTokenId))
            {
                return null;
            }

            Execute(c, tx,
                $"INSERT INTO clusters ({ClusterColumns}) VALUES (@id, @name, @loc, @url, @hash, @registered, NULL, '{{}}', @secret)",
                ("@id", cluster.Id), ("@name", cluster.Name), ("@loc", cluster.Location), ("@url", cluster.ManagerUrl),
                ("@hash", cluster.CredentialHash), ("@registered", Time(cluster.RegisteredAt)), ("@secret", cluster.SecretHash));
            return cluster;
        }, ct);

    public Task<ClusterRecord?> RenewClusterAsync(
        string id, string? location, string? managerUrl, string credentialHash, string secretHash, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            var changed = Execute(c, tx, """
                UPDATE clusters SET location = @loc, manager_url = @url, credential_hash = @hash, secret_hash = @secret
                WHERE id = @id AND (secret_hash IS NULL OR secret_hash = @secret)
                """,
                ("@id", id), ("@loc", location), ("@url", managerUrl), ("@hash", credentialHash), ("@secret", secretHash));
            return changed == 0
                ? null
                : Query(c, tx, $"SELECT {ClusterColumns} FROM clusters WHERE id = @id", ReadCluster, ("@id", id)).FirstOrDefault();
        }, ct);

    public Task<ClusterRecord?> GetClusterAsync(string id, CancellationToken ct) =>
        ReadAsync(c => Query(c, null, $"SELECT {ClusterColumns} FROM clusters WHERE id = @id", ReadCluster, ("@id", id)).FirstOrDefault(), ct);

    public Task<IReadOnlyList<ClusterRecord>> ListClustersAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<ClusterRecord>>(c => Query(c, null, $"SELECT {ClusterColumns} FROM clusters ORDER BY name", ReadCluster), ct);

    // A heartbeat: the cluster sends it again within seconds, so its commit does not wait for the disk.
    public Task UpdateClusterResourcesAsync(string id, string resources, DateTimeOffset seen, CancellationToken ct) =>
        WriteReportedAsync((c, tx) => Execute(c, tx, "UPDATE clusters SET resources = @res, last_seen = @seen WHERE id = @id",
            ("@id", id), ("@res", resources), ("@seen", Time(seen))), ct);

    private static ClusterRecord ReadCluster(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        Name = r.GetString(1),
        Location = StringOrNull(r, 2),
        ManagerUrl = StringOrNull(r, 3),
        CredentialHash = r.GetString(4),
        RegisteredAt = ReadTime(r, 5),
        LastSeen = ReadTimeOrNull(r, 6),
        Resources = r.GetString(7),
        SecretHash = StringOrNull(r, 8),
    };
}
