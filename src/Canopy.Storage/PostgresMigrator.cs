using System.Globalization;
using Npgsql;

namespace Canopy.Storage;

/// <summary>
/// Brings a PostgreSQL database to the latest version of its <see cref="SchemaMigrations"/>. The version lives in a table of its
/// own (<c>canopy_schema</c>: which store, which version). Everything runs in one transaction under a transaction-scoped advisory
/// lock: replicas that start together wait for each other, the first migrates, the others find the latest version; a step that
/// fails rolls back everything (PostgreSQL's DDL is transactional).
/// </summary>
internal static class PostgresMigrator
{
    /// <summary>The advisory lock key of Canopy's migrations ("canopy" in ASCII).</summary>
    private const long LockKey = 0x63616e6f7079;

    public static SchemaUpgrade Migrate(NpgsqlConnection connection, SchemaMigrations schema, StoreLocation location)
    {
        using var tx = connection.BeginTransaction();
        Execute(connection, tx, string.Create(CultureInfo.InvariantCulture, $"SELECT pg_advisory_xact_lock({LockKey})"));
        Execute(connection, tx, "CREATE TABLE IF NOT EXISTS canopy_schema (store TEXT PRIMARY KEY, version INTEGER NOT NULL)");
        var rows = new List<(string Store, int Version)>();
        using (var command = new NpgsqlCommand("SELECT store, version FROM canopy_schema", connection, tx))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.GetInt32(1)));
            }
        }

        var where = $"the database {location.Display}";
        if (rows.FirstOrDefault(r => r.Store != schema.StoreName) is { Store: not null } other)
        {
            throw new StoreSchemaException(
                $"{where} holds a Canopy {other.Store}, not a {schema.StoreName}: give each tier a database of its own (--store).");
        }

        var version = rows.Count == 0 ? Unversioned(connection, tx, schema, where) : rows[0].Version;
        if (version > schema.Latest)
        {
            throw new StoreSchemaException(
                $"{where} has schema version {version}, but this Canopy knows the {schema.StoreName} only up to version {schema.Latest}: " +
                "a newer Canopy wrote it. Run that version (or a newer one) against this database, or give this one another database " +
                "(--store); a store is never downgraded.");
        }

        if (version == schema.Latest)
        {
            return new SchemaUpgrade(version, version);
        }

        foreach (var step in schema.After(version))
        {
            try
            {
                Execute(connection, tx, step.SqlFor(StoreProvider.Postgres));
            }
            catch (PostgresException e)
            {
                throw new StoreSchemaException(
                    $"{where}: migration {step.Version} of the {schema.StoreName} ({step.Description}) failed: {e.MessageText}. Nothing " +
                    $"was changed, the database is still at schema version {version}. Report this with the Canopy version.", e);
            }
        }

        using (var save = new NpgsqlCommand(
            "INSERT INTO canopy_schema (store, version) VALUES (@store, @version) ON CONFLICT (store) DO UPDATE SET version = excluded.version",
            connection, tx))
        {
            save.Parameters.AddWithValue("store", schema.StoreName);
            save.Parameters.AddWithValue("version", schema.Latest);
            save.ExecuteNonQuery();
        }

        tx.Commit();
        return new SchemaUpgrade(version, schema.Latest);
    }

    /// <summary>No version yet: an empty database (version 0), or one with tables of something else, which is refused.</summary>
    private static int Unversioned(NpgsqlConnection connection, NpgsqlTransaction tx, SchemaMigrations schema, string where)
    {
        var tables = new List<string>();
        using (var command = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'canopy_schema' " +
            "ORDER BY table_name LIMIT 5", connection, tx))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        return tables.Count == 0
            ? 0
            : throw new StoreSchemaException(
                $"{where} has tables ({string.Join(", ", tables)}) but no Canopy schema version: it is not a Canopy {schema.StoreName}. " +
                "Give Canopy an empty database of its own (--store).");
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        command.ExecuteNonQuery();
    }
}
