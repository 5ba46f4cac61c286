using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Canopy.Root.Store;

/// <summary>
/// <see cref="IRootStore"/> on one SQLite file in WAL mode. Readers open their own pooled connections; writers are
/// serialized in-process and each runs in one IMMEDIATE transaction, so a read-modify-write never interleaves with another.
/// </summary>
public sealed partial class SqliteRootStore : IRootStore, IDisposable
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public SqliteRootStore(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>Creates the tables that are missing and switches the file to WAL.</summary>
    public void Initialize()
    {
        using var connection = Open();
        Execute(connection, null, "PRAGMA journal_mode=WAL;");
        Execute(connection, null, SqliteSchema.Create);
    }

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

    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        _writeLock.Dispose();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private Task<T> ReadAsync<T>(Func<SqliteConnection, T> read, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        using var connection = Open();
        return Task.FromResult(read(connection));
    }

    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            using var connection = Open();

            // Non-deferred = BEGIN IMMEDIATE: the write lock is taken before the first read of the read-modify-write.
            using var tx = connection.BeginTransaction(deferred: false);
            var result = write(connection, tx);
            tx.Commit();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static SqliteCommand Command(SqliteConnection c, SqliteTransaction? tx, string sql, (string Name, object? Value)[] args)
    {
        var command = c.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in args)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static int Execute(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        using var command = Command(c, tx, sql, args);
        return command.ExecuteNonQuery();
    }

    private static List<T> Query<T>(
        SqliteConnection c, SqliteTransaction? tx, string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] args)
    {
        using var command = Command(c, tx, sql, args);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private static long Scalar(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        using var command = Command(c, tx, sql, args);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static string Time(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static string? Time(DateTimeOffset? value) => value is { } v ? Time(v) : null;

    private static DateTimeOffset ReadTime(SqliteDataReader r, int ordinal) =>
        DateTimeOffset.Parse(r.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static DateTimeOffset? ReadTimeOrNull(SqliteDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) ? null : ReadTime(r, ordinal);

    private static string? StringOrNull(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private static int? IntOrNull(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetInt32(ordinal);
}
