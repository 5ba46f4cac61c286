using System.Data;
using System.Data.Common;
using System.Net.Sockets;
using Npgsql;

namespace Canopy.Storage;

/// <summary>
/// A store in a PostgreSQL database that several processes (root replicas) may share. Every write is one SERIALIZABLE
/// transaction: PostgreSQL aborts one of two that read and wrote the same rows (40001, or 40P01 on a deadlock) and that one runs
/// again from the start, up to <see cref="MaxAttempts"/> times, so a read-modify-write never acts on what another writer has
/// changed meanwhile. SERIALIZABLE rather than row locks: the stores' writes are small read-modify-writes over several tables,
/// and SSI protects all of them, reads of absent rows included (a name check before an insert), without a lock in each query.
/// A process's writes run one at a time, first come first served (as with SQLite): what a cluster reports in order is applied in
/// that order, and the cluster's caches follow the tables; conflicts, and so retries, come only from other processes.
/// </summary>
internal sealed partial class PostgresEngine : StoreEngine
{
    private const int MaxAttempts = 10;
    private readonly StoreLocation _location;
    private readonly SchemaMigrations _schema;
    private readonly NpgsqlDataSource _dataSource;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public PostgresEngine(StoreLocation location, SchemaMigrations schema)
    {
        _location = location;
        _schema = schema;
        var builder = new NpgsqlConnectionStringBuilder(location.ConnectionString);
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = $"canopy {schema.StoreName}";
        }

        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public override SchemaUpgrade Initialize()
    {
        try
        {
            using var connection = _dataSource.OpenConnection();
            return PostgresMigrator.Migrate(connection, _schema, _location);
        }
        catch (Exception e) when (Unavailable(e) is { } unavailable)
        {
            throw unavailable;
        }
    }

    public override void Dispose()
    {
        _dataSource.Dispose();
        _writeLock.Dispose();
    }

    public override Task<T> ReadAsync<T>(Func<DbConnection, T> read, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var connection = _dataSource.OpenConnection();
                return Task.FromResult(read(connection));
            }
            catch (Exception e) when (Unavailable(e) is { } unavailable)
            {
                // A pooled connection that a database restart cut: the next one is new.
                _dataSource.Clear();
                if (attempt >= 2)
                {
                    throw unavailable;
                }
            }
        }
    }

    public override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> write, bool durable, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                ct.ThrowIfCancellationRequested();
                var committing = false;
                try
                {
                    using var connection = _dataSource.OpenConnection();
                    using var tx = connection.BeginTransaction(IsolationLevel.Serializable);
                    if (!durable)
                    {
                        using var relaxed = new NpgsqlCommand("SET LOCAL synchronous_commit = off", connection, tx);
                        relaxed.ExecuteNonQuery();
                    }

                    var result = write(connection, tx);
                    committing = true;
                    tx.Commit();
                    return result;
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected)
                {
                    if (attempt >= MaxAttempts)
                    {
                        throw new StoreConcurrencyException(
                            $"the {_schema.StoreName} at {_location.Display} stayed busy with conflicting writes ({attempt} attempts); nothing " +
                            "was written, try again", e);
                    }

                    // Back off a little, randomly, so that the writers that collided do not collide again.
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 4 << Math.Min(attempt, 6))), ct);
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
                {
                    // Another writer inserted the same key first (the store's own check before the insert saw nothing yet).
                    throw new ConflictingWriteException(
                        $"what this request adds exists already ({e.TableName}: {e.ConstraintName}), written meanwhile by another request; " +
                        "nothing was written", e);
                }
                catch (Exception e) when (Unavailable(e) is { } unavailable)
                {
                    _dataSource.Clear();

                    // Retried only when the commit was not sent: a commit whose answer was lost may have been applied.
                    if (committing || attempt >= 2)
                    {
                        throw unavailable;
                    }
                }
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The database did not answer or refused the login: a <see cref="StoreUnavailableException"/> that says so; null for other errors.</summary>
    private StoreUnavailableException? Unavailable(Exception e) =>
        StoreErrors.Unavailable(e, _schema.StoreName, _location);
}

/// <summary>What PostgreSQL's failures mean for a store's user.</summary>
internal static class StoreErrors
{
    public static StoreUnavailableException? Unavailable(Exception e, string storeName, StoreLocation location)
    {
        var user = new NpgsqlConnectionStringBuilder(location.ConnectionString).Username;
        var where = $"the {storeName}'s database at {location.Server}";
        return e switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } => new(
                $"{where} refused the login of user '{user}' ({((PostgresException)e).MessageText}): check the user and password in " +
                "--store / CANOPY_STORE (postgres://user:password@host:port/database).", e),
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } => new(
                $"{where} has no database '{location.Display[(location.Display.LastIndexOf('/') + 1)..]}': create it " +
                "(createdb, or CREATE DATABASE) or fix its name in --store / CANOPY_STORE.", e),
            PostgresException { SqlState: var state } when IsOutage(state) => new(Outage(where, ((PostgresException)e).MessageText), e),
            PostgresException => null,
            NpgsqlException or SocketException or TimeoutException when IsConnectionFailure(e) => new(Outage(where, Innermost(e).Message), e),
            _ => null,
        };
    }

    private static string Outage(string where, string why) =>
        $"{where} does not answer ({why}). Nothing was written. Check that PostgreSQL runs and that this host reaches it; " +
        "Canopy uses it again by itself once it answers.";

    /// <summary>Connection exceptions (08), the server shutting down or starting (57P01-57P03), too many connections (53300).</summary>
    private static bool IsOutage(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02" or "57P03" or "53300";

    private static bool IsConnectionFailure(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException or IOException or TimeoutException or EndOfStreamException)
            {
                return true;
            }

            if (inner is NpgsqlException { IsTransient: true })
            {
                return true;
            }
        }

        return e is NpgsqlException && e.Message.Contains("connection", StringComparison.OrdinalIgnoreCase);
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner)
        {
            e = inner;
        }

        return e;
    }
}
