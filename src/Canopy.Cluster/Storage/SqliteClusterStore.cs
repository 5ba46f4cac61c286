using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Canopy.Cluster.Storage;

/// <summary>
/// <see cref="IClusterStore"/> on SQLite (<c>&lt;DataDir&gt;/cluster.db</c>), plain SQL, WAL so that API reads never wait for writes.
/// One pooled connection per call: the cluster serialises its writes itself, readers run beside them.
/// </summary>
internal sealed partial class SqliteClusterStore : IClusterStore, IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS nodes (
            id TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            ip TEXT,
            static_info TEXT NOT NULL,
            mqtt_password TEXT NOT NULL,
            subnet TEXT,
            registered_at TEXT NOT NULL,
            last_seen TEXT,
            active INTEGER NOT NULL DEFAULT 0,
            information TEXT);
        CREATE INDEX IF NOT EXISTS nodes_host ON nodes(host);
        CREATE TABLE IF NOT EXISTS services (
            service_id TEXT PRIMARY KEY,
            spec TEXT NOT NULL,
            updated_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS instances (
            service_id TEXT NOT NULL,
            instance_number INTEGER NOT NULL,
            node_id TEXT,
            node_name TEXT,
            status TEXT NOT NULL,
            detail TEXT,
            cpu_percent REAL,
            memory REAL,
            memory_percent REAL,
            restart_count INTEGER NOT NULL DEFAULT 0,
            exit_code INTEGER,
            pid INTEGER,
            host_ip TEXT,
            host_port TEXT,
            started_at TEXT,
            updated_at TEXT NOT NULL,
            deleting INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (service_id, instance_number));
        CREATE INDEX IF NOT EXISTS instances_node ON instances(node_id);
        CREATE TABLE IF NOT EXISTS settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS node_tokens (
            id TEXT PRIMARY KEY,
            secret_hash TEXT NOT NULL UNIQUE,
            description TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT,
            expires_at TEXT,
            revoked INTEGER NOT NULL DEFAULT 0);
        """;

    private readonly string _connectionString;
    private readonly TimeProvider _time;

    public SqliteClusterStore(string dataDir, TimeProvider time)
    {
        _time = time;
        Directory.CreateDirectory(dataDir);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDir, "cluster.db"),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();

        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, Schema);
    }

    public async Task<string?> GetSettingAsync(string key, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM settings WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    public async Task SetSettingAsync(string key, string value, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO settings(key, value) VALUES ($key, $value) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Pooled connections keep the file open after the cluster stops; a cluster started again on the same data dir (or a
    /// deleted one) must not be handed those.
    /// </summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();

        // WAL makes NORMAL safe against corruption; a power cut may lose the last heartbeat, never the schema.
        Execute(connection, "PRAGMA synchronous=NORMAL;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object Db(object? value) => value ?? DBNull.Value;

    private static string Time(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    private static object Time(DateTimeOffset? value) => value is { } v ? Time(v) : DBNull.Value;

    private static DateTimeOffset? ReadTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture);

    private static string? ReadString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
