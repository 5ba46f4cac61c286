using Microsoft.Data.Sqlite;

namespace Canopy.Root.Store;

public sealed partial class SqliteRootStore
{
    private const string ClusterColumns = "id, name, location, manager_url, credential_hash, registered_at, last_seen, resources";

    public Task<ClusterRecord> UpsertClusterAsync(
        string name, string? location, string? managerUrl, string credentialHash, Func<string> newId, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            var existing = Query(c, tx, $"SELECT {ClusterColumns} FROM clusters WHERE name = $name", ReadCluster, ("$name", name)).FirstOrDefault();
            if (existing is not null)
            {
                Execute(c, tx, "UPDATE clusters SET location = $loc, manager_url = $url, credential_hash = $hash WHERE id = $id",
                    ("$id", existing.Id), ("$loc", location), ("$url", managerUrl), ("$hash", credentialHash));
                return existing with { Location = location, ManagerUrl = managerUrl, CredentialHash = credentialHash };
            }

            var created = new ClusterRecord
            {
                Id = newId(),
                Name = name,
                Location = location,
                ManagerUrl = managerUrl,
                CredentialHash = credentialHash,
                RegisteredAt = now,
            };
            Execute(c, tx,
                $"INSERT INTO clusters ({ClusterColumns}) VALUES ($id, $name, $loc, $url, $hash, $registered, NULL, '{{}}')",
                ("$id", created.Id), ("$name", name), ("$loc", location), ("$url", managerUrl), ("$hash", credentialHash),
                ("$registered", Time(now)));
            return created;
        }, ct);

    public Task<ClusterRecord?> GetClusterAsync(string id, CancellationToken ct) =>
        ReadAsync(c => Query(c, null, $"SELECT {ClusterColumns} FROM clusters WHERE id = $id", ReadCluster, ("$id", id)).FirstOrDefault(), ct);

    public Task<IReadOnlyList<ClusterRecord>> ListClustersAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<ClusterRecord>>(c => Query(c, null, $"SELECT {ClusterColumns} FROM clusters ORDER BY name", ReadCluster), ct);

    public Task UpdateClusterResourcesAsync(string id, string resources, DateTimeOffset seen, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(c, tx, "UPDATE clusters SET resources = $res, last_seen = $seen WHERE id = $id",
            ("$id", id), ("$res", resources), ("$seen", Time(seen))), ct);

    private static ClusterRecord ReadCluster(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        Name = r.GetString(1),
        Location = StringOrNull(r, 2),
        ManagerUrl = StringOrNull(r, 3),
        CredentialHash = r.GetString(4),
        RegisteredAt = ReadTime(r, 5),
        LastSeen = ReadTimeOrNull(r, 6),
        Resources = r.GetString(7),
    };
}
