using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Canopy.Storage;

/// <summary>
/// A store on one SQLite file in WAL mode, the data-access helper the tiers' stores share. Readers open their own pooled
/// connections; writers are serialized in-process and each runs in one IMMEDIATE transaction, so a read-modify-write never
/// interleaves with another. <see cref="Initialize"/> brings the file to the latest schema of its <see cref="SchemaMigrations"/>.
/// </summary>
public abstract class SqliteStore : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _connectionString;
    private readonly SchemaMigrations _schema;
    private readonly bool _relaxedSync;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    /// <param name="relaxedSync">
    /// <c>synchronous=NORMAL</c>: with WAL a power cut may lose the last commits, never the file. For state that is
    /// re-reported anyway (heartbeats); the default keeps every commit.
    /// </param>
    protected SqliteStore(string path, SchemaMigrations schema, bool relaxedSync = false)
    {
        FilePath = path;
        _schema = schema;
        _relaxedSync = relaxedSync;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string FilePath { get; }

    /// <summary>What <see cref="Initialize"/> did to the schema.</summary>
    public SchemaUpgrade Upgrade { get; private set; }

    /// <summary>
    /// Creates the file (owner-only: it holds secrets and their hashes) or narrows an existing one to owner-only, switches it to
    /// WAL and migrates it. Throws <see cref="StoreSchemaException"/> when the file is from a newer Canopy or a step fails
    /// (the file is then unchanged).
    /// </summary>
    public SchemaUpgrade Initialize()
    {
        using (new FileStream(FilePath, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, UnixCreateMode = OwnerOnly }))
        {
        }

        File.SetUnixFileMode(FilePath, OwnerOnly);
        using var connection = Open();
        Execute(connection, null, "PRAGMA journal_mode=WAL;");
        Upgrade = SqliteMigrator.Migrate(connection, _schema, FilePath);
        return Upgrade;
    }

    /// <summary>Closes the pooled connections: a store opened again on the same file (or a deleted one) must not be handed them.</summary>
    public void Dispose()
    {
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeLock.Dispose();
        GC.SuppressFinalize(this);
    }

    protected SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        if (_relaxedSync)
        {
            Execute(connection, null, "PRAGMA synchronous=NORMAL;");
        }

        return connection;
    }

    protected Task<T> ReadAsync<T>(Func<SqliteConnection, T> read, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        using var connection = Open();
        return Task.FromResult(read(connection));
    }

    protected async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken ct)
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

    protected static int Execute(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        using var command = Command(c, tx, sql, args);
        return command.ExecuteNonQuery();
    }

    protected static List<T> Query<T>(
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

    protected static long Scalar(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        using var command = Command(c, tx, sql, args);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    protected static string Time(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    protected static string? Time(DateTimeOffset? value) => value is { } v ? Time(v) : null;

    protected static DateTimeOffset ReadTime(SqliteDataReader r, int ordinal) =>
        DateTimeOffset.Parse(r.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    protected static DateTimeOffset? ReadTimeOrNull(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : ReadTime(r, ordinal);

    protected static string? StringOrNull(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    protected static int? IntOrNull(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetInt32(ordinal);

    protected static double? DoubleOrNull(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetDouble(ordinal);

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
}
