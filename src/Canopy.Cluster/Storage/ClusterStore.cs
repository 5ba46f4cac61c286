using Canopy.Security;
using Canopy.Storage;

namespace Canopy.Cluster.Storage;

/// <summary>
/// <see cref="IClusterStore"/> on SQLite (<c>&lt;DataDir&gt;/cluster.db</c>) or PostgreSQL, with the schema of <see cref="ClusterSchema"/>.
/// Relaxed sync with SQLite: a power cut may lose the last heartbeat, never the schema; nodes and the root report again anyway.
/// </summary>
internal sealed partial class ClusterStore : RelationalStore, IClusterStore
{
    private readonly TimeProvider _time;

    /// <summary>The cluster's own key for the secret values in stored specs (<c>&lt;DataDir&gt;/secrets.key</c>), made when first needed.</summary>
    private readonly Lazy<SecretBox> _secrets;

    private ClusterStore(StoreLocation location, string dataDir, TimeProvider time)
        : base(location, ClusterSchema.Migrations, relaxedSync: true)
    {
        _time = time;
        _secrets = new(() => SecretBox.LoadOrCreate(Path.Combine(Path.GetFullPath(dataDir), "secrets.key")));
    }

    /// <summary>
    /// Opens (creating or migrating) the store of <paramref name="dataDir"/>: <c>cluster.db</c> in it, or <paramref name="store"/>
    /// (a <c>postgres://</c> URL, see <see cref="StoreLocation"/>); see <see cref="RelationalStore.Initialize"/>.
    /// </summary>
    public static ClusterStore Open(string dataDir, TimeProvider time, string? store = null)
    {
        Directory.CreateDirectory(dataDir);
        var location = StoreLocation.Parse(store, Path.Combine(dataDir, "cluster.db"));
        var opened = new ClusterStore(location, dataDir, time);
        try
        {
            opened.Initialize();
            if (location.Provider == StoreProvider.Postgres)
            {
                // A cluster on PostgreSQL may be restarted on another machine (--replica-of): the key that sealed its stored specs
                // must exist to be taken along, not only once a secret was first stored.
                _ = opened._secrets.Value;
            }

            return opened;
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    public Task<IReadOnlyList<string>> ListSubnetBlocksAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<string>>(c => Query(c, null, "SELECT block FROM subnet_blocks ORDER BY position", r => r.GetString(0)), ct);

    public Task SetSubnetBlocksAsync(IReadOnlyList<string> blocks, CancellationToken ct) =>
        WriteAsync((c, tx) =>
        {
            Execute(c, tx, "DELETE FROM subnet_blocks");
            foreach (var (block, position) in blocks.Distinct().Select((b, i) => (b, i)))
            {
                Execute(c, tx, "INSERT INTO subnet_blocks (position, block) VALUES (@position, @block)", ("@position", position), ("@block", block));
            }

            return 0;
        }, ct);

    public Task<string?> GetSettingAsync(string key, CancellationToken ct) =>
        ReadAsync(c => Query(c, null, "SELECT value FROM settings WHERE key = @key", r => r.GetString(0), ("@key", key)).FirstOrDefault(), ct);

    public Task SetSettingAsync(string key, string value, CancellationToken ct) =>
        WriteAsync((c, tx) => Execute(c, tx,
            "INSERT INTO settings(key, value) VALUES (@key, @value) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            ("@key", key), ("@value", value)), ct);
}
