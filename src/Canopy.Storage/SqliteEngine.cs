using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Canopy.Storage;

/// <summary>
/// A store on one SQLite file in WAL mode. Readers open their own pooled connections; writers are serialized in-process and each
/// runs in an IMMEDIATE transaction (writes that queue up share one, each in its own savepoint: group commit), so a
/// read-modify-write never interleaves with another.
/// </summary>
internal sealed class SqliteEngine : StoreEngine
{
    private const int MaxBatch = 64;
    private const string Savepoint = "canopy_write";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _connectionString;
    private readonly SchemaMigrations _schema;
    private readonly bool _relaxedSync;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentQueue<PendingWrite> _pending = new();

    public SqliteEngine(string path, SchemaMigrations schema, bool relaxedSync)
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

    /// <summary>
    /// Creates the file (owner-only: it holds secrets and their hashes) or narrows an existing one to owner-only, switches it to
    /// WAL and migrates it. Throws <see cref="StoreSchemaException"/> when the file is from a newer Canopy or a step fails
    /// (the file is then unchanged).
    /// </summary>
    public override SchemaUpgrade Initialize()
    {
        using (new FileStream(FilePath, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, UnixCreateMode = OwnerOnly }))
        {
        }

        File.SetUnixFileMode(FilePath, OwnerOnly);
        using var connection = Open();
        Execute(connection, null, "PRAGMA journal_mode=WAL;");
        return SqliteMigrator.Migrate(connection, _schema, FilePath);
    }

    /// <summary>Closes the pooled connections: a store opened again on the same file (or a deleted one) must not be handed them.</summary>
    public override void Dispose()
    {
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeLock.Dispose();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        if (_relaxedSync)
        {
            Execute(connection, null, "PRAGMA synchronous=NORMAL;");
        }

        return connection;
    }

    public override Task<T> ReadAsync<T>(Func<DbConnection, T> read, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        using var connection = Open();
        return Task.FromResult(read(connection));
    }

    /// <summary>
    /// Runs <paramref name="write"/> in an IMMEDIATE transaction and returns once it is committed with the store's durability
    /// (every commit on disk, or <c>synchronous=NORMAL</c> for a relaxed store or a batch of only non-durable writes). Writes that
    /// arrive while another commits are committed together in one transaction (group commit): each runs in its own savepoint, so
    /// one that throws undoes only itself, and all share the one wait for the disk; none is answered before that commit.
    /// </summary>
    public override Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> write, bool durable, CancellationToken ct) => EnqueueAsync(write, durable, ct);

    private async Task<T> EnqueueAsync<T>(Func<DbConnection, DbTransaction, T> write, bool durable, CancellationToken ct)
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
    private sealed class PendingWrite(Func<DbConnection, DbTransaction, object?> run, bool durable)
    {
        private int _state; // 0 waiting, 1 taken by a batch, 2 cancelled

        public Func<DbConnection, DbTransaction, object?> Run { get; } = run;
        public bool Durable { get; } = durable;
        public TaskCompletionSource<object?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryTake() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public bool TryCancel() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;
    }

    private static void Execute(SqliteConnection c, SqliteTransaction? tx, string sql)
    {
        using var command = c.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
