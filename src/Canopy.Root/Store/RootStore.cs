using Canopy.Storage;

namespace Canopy.Root.Store;

/// <summary>
/// <see cref="IRootStore"/> on one SQLite file (<c>root.db</c>) or a PostgreSQL database that replicas share, with the schema of
/// <see cref="RootSchema"/>; every write is one transaction (see <see cref="RelationalStore"/>).
/// </summary>
public sealed partial class RootStore : RelationalStore, IRootStore
{
    public RootStore(StoreLocation location)
        : base(location, RootSchema.Migrations)
    {
    }

    /// <summary>The store on the SQLite file <paramref name="path"/>.</summary>
    public RootStore(string path)
        : this(StoreLocation.SqliteFile(path))
    {
    }

    // Replicas share a PostgreSQL store: a write of leader-only work must still be the current leader's (the embedded store has
    // one process, always leader).
    protected override void BeforeWrite(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction)
    {
        if (Location.Provider == StoreProvider.Postgres)
        {
            Replicas.LeaderFence.Check(connection, transaction);
        }
    }

    public async Task<string> GetOrAddSettingAsync(string key, Func<string> create, CancellationToken ct) =>
        await WriteAsync((c, tx) =>
        {
            var existing = Query(c, tx, "SELECT value FROM settings WHERE key = @key", r => r.GetString(0), ("@key", key));
            if (existing.Count > 0)
            {
                return existing[0];
            }

            var value = create();
            Execute(c, tx, "INSERT INTO settings (key, value) VALUES (@key, @value)", ("@key", key), ("@value", value));
            return value;
        }, ct);
}
