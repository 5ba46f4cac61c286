using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Canopy.Storage;

/// <summary>
/// A store on one SQLite file in WAL mode, the data-access helper the tiers' stores share. Readers open their own pooled
/// connections; writers are serialized in-process and each runs in an IMMEDIATE transaction (writes that queue up share one,
/// each in its own savepoint: group commit), so a read-modify-write never interleaves with another. <see cref="Initialize"/> brings the file to the latest schema of its <see cref="SchemaMigrations"/>.
/// </summary>
public abstract class SqliteStore : IDisposable
{
    private const int MaxBatch = 64;
    private const string Savepoint = "canopy_write";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _connectionString;
    private readonly SchemaMigrations _schema;
    private readonly bool _relaxedSync;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentQueue<PendingWrite> _pending = new();

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

    /// <summary>
    /// Runs <paramref name="write"/> in an IMMEDIATE transaction and returns once it is committed with the store's durability
    /// (every commit on disk, or <c>synchronous=NORMAL</c> for a relaxed store). Writes that arrive while another commits are
    /// committed together in one transaction (group commit): each runs in its own savepoint, so one that throws undoes only itself,
    /// and all share the one wait for the disk; none is answered before that commit.
    /// </summary>
    protected Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken ct) => EnqueueAsync(write, durable: true, ct);

    /// <summary>
    /// A write of state its sender reports again anyway (heartbeats, gauges): committed as <see cref="WriteAsync{T}"/>, but a batch of
    /// only such writes does not wait for the disk (<c>synchronous=NORMAL</c>: a power cut may lose the last of them, never the file
    /// nor a durable write, whose commit flushes everything before it).
    /// </summary>
    protected Task<T> WriteReportedAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken ct) => EnqueueAsync(write, durable: false, ct);

    private async Task<T> EnqueueAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write, bool durable, CancellationToken ct)
    {
        var pending = new PendingWrite((c, tx) => write(c, tx), durable);
        _pending.Enqueue(pending);
        try
        {
            await _writeLock.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (!pending.TryCancel())
        {
            // A batch took it before the cancellation: its outcome stands.
            return (T)(await pending.Done.Task)!;
        }

        try
        {
            // Committed by a batch before ours, or ours to lead: each batch takes what waits, oldest first, until this one is done.
            while (!pending.Done.Task.IsCompleted)
            {
                CommitBatch();
            }
        }
        finally
        {
            _writeLock.Release();
        }

        return (T)(await pending.Done.Task)!;
    }

    private void CommitBatch()
    {
        var batch = new List<PendingWrite>();
        while (batch.Count < MaxBatch && _pending.TryDequeue(out var next))
        {
            if (next.TryTake())
            {
                batch.Add(next);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        var results = new object?[batch.Count];
        var errors = new Exception?[batch.Count];
        try
        {
            using var connection = Open();
            var relaxed = _relaxedSync || batch.TrueForAll(w => !w.Durable);
            Execute(connection, null, relaxed ? "PRAGMA synchronous=NORMAL;" : "PRAGMA synchronous=FULL;");

            // Non-deferred = BEGIN IMMEDIATE: the write lock is taken before the first read of the read-modify-write.
            using var tx = connection.BeginTransaction(deferred: false);
            for (var i = 0; i < batch.Count; i++)
            {
                (results[i], errors[i]) = RunInSavepoint(batch[i], connection, tx, alone: batch.Count == 1);
            }

            if (batch.Count > 1 || errors[0] is null)
            {
                tx.Commit();
            }
        }
        catch (Exception e)
        {
            // Nothing of the batch is committed.
            foreach (var w in batch)
            {
                w.Done.TrySetException(e);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (errors[i] is { } error)
            {
                batch[i].Done.TrySetException(error);
            }
            else
            {
                batch[i].Done.TrySetResult(results[i]);
            }
        }
    }

    private static (object? Result, Exception? Error) RunInSavepoint(PendingWrite write, SqliteConnection connection, SqliteTransaction tx, bool alone)
    {
        if (alone)
        {
            try
            {
                return (write.Run(connection, tx), null);
            }
            catch (Exception e)
            {
                return (null, e); // not committed: the transaction is disposed without
            }
        }

        tx.Save(Savepoint);
        try
        {
            var result = write.Run(connection, tx);
            tx.Release(Savepoint);
            return (result, null);
        }
        catch (Exception e)
        {
            // An error that ended the whole transaction (disk full, I/O) makes this throw: the batch fails as one.
            tx.Rollback(Savepoint);
            tx.Release(Savepoint);
            return (null, e);
        }
    }

    /// <summary>One write waiting for a batch; taken by exactly one batch, or cancelled by its caller before that.</summary>
    private sealed class PendingWrite(Func<SqliteConnection, SqliteTransaction, object?> run, bool durable)
    {
        private int _state; // 0 waiting, 1 taken by a batch, 2 cancelled

        public Func<SqliteConnection, SqliteTransaction, object?> Run { get; } = run;
        public bool Durable { get; } = durable;
        public TaskCompletionSource<object?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryTake() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public bool TryCancel() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;
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
