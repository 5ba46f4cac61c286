using Canopy.Storage;

namespace Canopy.Root.Store;

/// <summary>
/// <see cref="IRootStore"/> on one SQLite file (<c>root.db</c>) with the schema of <see cref="RootSchema"/>; every write is one
/// transaction (see <see cref="SqliteStore"/>).
/// </summary>
public sealed partial class SqliteRootStore(string path) : SqliteStore(path, RootSchema.Migrations), IRootStore
{
    public async Task<string> GetOrAddSettingAsync(string key, Func<string> create, CancellationToken ct) =>
        await WriteAsync((c, tx) =>
        {
            var existing = Query(c, tx, "SELECT value FROM settings WHERE key = $key", r => r.GetString(0), ("$key", key));
            if (existing.Count > 0)
            {
                return existing[0];
            }

            var value = create();
            Execute(c, tx, "INSERT INTO settings (key, value) VALUES ($key, $value)", ("$key", key), ("$value", value));
            return value;
        }, ct);
}
