using System.Data.Common;
using System.Globalization;

namespace Canopy.Storage;

/// <summary>
/// The data-access helper the tiers' stores share, over either provider of <see cref="StoreLocation"/>: a SQLite file (group
/// commit, see <see cref="SqliteEngine"/>) or a PostgreSQL database that replicas share (one SERIALIZABLE transaction per write,
/// retried on a serialization failure, see <see cref="PostgresEngine"/>). With either, a process's writes run one at a time in the
/// order they were asked for (a cluster's reports of one instance apply in the order sent; caches follow the tables). The stores write
/// SQL that both take: <c>@name</c> parameters, <c>INSERT ... ON CONFLICT</c>, integer flags, ISO-8601 text times.
/// <see cref="Initialize"/> brings the store to the latest schema of its <see cref="SchemaMigrations"/>.
/// </summary>
public abstract class RelationalStore : IDisposable
{
    private readonly StoreEngine _engine;

    /// <param name="relaxedSync">
    /// SQLite <c>synchronous=NORMAL</c> for every write: with WAL a power cut may lose the last commits, never the file. For a store
    /// of state that is re-reported anyway (heartbeats); the default keeps every commit.
    /// </param>
    protected RelationalStore(StoreLocation location, SchemaMigrations schema, bool relaxedSync = false)
    {
        Location = location;
        _engine = location.Provider == StoreProvider.Postgres
            ? new PostgresEngine(location, schema)
            : new SqliteEngine(location.ConnectionString, schema, relaxedSync);
    }

    public StoreLocation Location { get; }

    /// <summary>What <see cref="Initialize"/> did to the schema.</summary>
    public SchemaUpgrade Upgrade { get; private set; }

    /// <summary>
    /// Creates or migrates the store. Throws <see cref="StoreSchemaException"/> when it is from a newer Canopy, not a Canopy store,
    /// or a step fails (the store is then unchanged), <see cref="StoreUnavailableException"/> when the database does not answer or
    /// refuses the login.
    /// </summary>
    public SchemaUpgrade Initialize()
    {
        Upgrade = _engine.Initialize();
        return Upgrade;
    }

    /// <summary>Closes the pooled connections: a store opened again on the same file or database must not be handed them.</summary>
    public void Dispose()
    {
        _engine.Dispose();
        GC.SuppressFinalize(this);
    }

    protected StoreProvider Provider => Location.Provider;

    protected Task<T> ReadAsync<T>(Func<DbConnection, T> read, CancellationToken ct) => _engine.ReadAsync(read, ct);

    /// <summary>
    /// Runs <paramref name="write"/> in a transaction of its own (with SQLite possibly sharing the commit with others, each in a
    /// savepoint) and returns once it is committed durably. With PostgreSQL it may run more than once (a serialization failure
    /// is retried): it must not have effects outside the transaction that a second run would repeat wrongly.
    /// </summary>
    protected Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> write, CancellationToken ct) => _engine.WriteAsync(Checked(write), durable: true, ct);

    /// <summary>
    /// A write of state its sender reports again anyway (heartbeats, gauges): committed as <see cref="WriteAsync{T}"/>, but its
    /// commit does not wait for the disk (SQLite <c>synchronous=NORMAL</c>, PostgreSQL <c>synchronous_commit = off</c>): a crash may
    /// lose the last of them, never a durable write.
    /// </summary>
    protected Task<T> WriteReportedAsync<T>(Func<DbConnection, DbTransaction, T> write, CancellationToken ct) => _engine.WriteAsync(Checked(write), durable: false, ct);

    /// <summary>
    /// Runs first inside every write transaction; throws to refuse the write (the root's leader fencing: a write of leader-only
    /// work by a replica whose term is over).
    /// </summary>
    protected virtual void BeforeWrite(DbConnection connection, DbTransaction transaction)
    {
    }

    private Func<DbConnection, DbTransaction, T> Checked<T>(Func<DbConnection, DbTransaction, T> write) => (c, tx) =>
    {
        BeforeWrite(c, tx);
        return write(c, tx);
    };

    protected static int Execute(DbConnection c, DbTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        using var command = Command(c, tx, sql, args);
        return command.ExecuteNonQuery();
    }

    protected static List<T> Query<T>(
        DbConnection c, DbTransaction? tx, string sql, Func<DbDataReader, T> map, params (string Name, object? Value)[] args)
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

    protected static long Scalar(DbConnection c, DbTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        using var command = Command(c, tx, sql, args);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A command with <paramref name="args"/> bound by name. Flags go in as integers (both providers' columns are INTEGER), a
    /// null as an untyped NULL whose type the statement decides.
    /// </summary>
    protected static DbCommand Command(DbConnection c, DbTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        var command = c.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in args)
        {
            command.Parameters.Add(Parameter(command, name, value));
        }

        return command;
    }

    protected static DbParameter Parameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value switch
        {
            null => DBNull.Value,
            bool flag => flag ? 1 : 0,
            _ => value,
        };
        return parameter;
    }

    /// <summary>
    /// The tail of an upsert both providers take: <c>ON CONFLICT (keys) DO UPDATE SET c = excluded.c</c> for every other column of
    /// <paramref name="columns"/> (a comma list), so that the row is replaced as a whole.
    /// </summary>
    protected static string OnConflictReplace(string columns, string keys)
    {
        var keySet = keys.Split(',', StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var set = columns.Split(',', StringSplitOptions.TrimEntries).Where(c => !keySet.Contains(c)).Select(c => $"{c} = excluded.{c}");
        return $" ON CONFLICT ({keys}) DO UPDATE SET {string.Join(", ", set)}";
    }

    protected static string Time(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    protected static string? Time(DateTimeOffset? value) => value is { } v ? Time(v) : null;

    protected static DateTimeOffset ReadTime(DbDataReader r, int ordinal) =>
        DateTimeOffset.Parse(r.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    protected static DateTimeOffset? ReadTimeOrNull(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : ReadTime(r, ordinal);

    protected static string? StringOrNull(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    protected static int? IntOrNull(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : Convert.ToInt32(r.GetValue(ordinal), CultureInfo.InvariantCulture);

    protected static double? DoubleOrNull(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetDouble(ordinal);

    /// <summary>An INTEGER 0/1 flag (both providers store flags as integers).</summary>
    protected static bool Flag(DbDataReader r, int ordinal) => Convert.ToInt64(r.GetValue(ordinal), CultureInfo.InvariantCulture) != 0;

    /// <summary>An INTEGER column (SQLite's are 64-bit, PostgreSQL's 32-bit).</summary>
    protected static int Int(DbDataReader r, int ordinal) => Convert.ToInt32(r.GetValue(ordinal), CultureInfo.InvariantCulture);
}

/// <summary>How a provider opens, migrates, reads and writes; <see cref="RelationalStore"/> is the same over both.</summary>
internal abstract class StoreEngine : IDisposable
{
    public abstract SchemaUpgrade Initialize();

    public abstract Task<T> ReadAsync<T>(Func<DbConnection, T> read, CancellationToken ct);

    public abstract Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> write, bool durable, CancellationToken ct);

    public abstract void Dispose();
}
