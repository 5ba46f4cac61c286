using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Canopy.Storage;

/// <summary>What opening a store did to its schema: from which version to which (equal when there was nothing to do; 0 = a new file).</summary>
public readonly record struct SchemaUpgrade(int From, int To)
{
    /// <summary>An existing store was brought to a newer schema.</summary>
    public bool Upgraded => From > 0 && From != To;
}

/// <summary>
/// Brings a SQLite file to the latest version of its <see cref="SchemaMigrations"/>. The version is read and every step run in one
/// IMMEDIATE transaction, <c>PRAGMA user_version</c> included: a step that fails rolls everything back, and two processes
/// opening the same file cannot both migrate it.
/// </summary>
internal static class SqliteMigrator
{
    public static SchemaUpgrade Migrate(SqliteConnection connection, SchemaMigrations schema, string file)
    {
        using var tx = connection.BeginTransaction(deferred: false);
        var stored = Convert.ToInt32(Scalar(connection, tx, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        var version = stored == 0 ? Unversioned(connection, tx, schema, file) : stored;
        if (version > schema.Latest)
        {
            throw new StoreSchemaException(
                $"{file} has schema version {version}, but this Canopy knows the {schema.StoreName} only up to version {schema.Latest}: " +
                "a newer Canopy wrote it. Run that version (or a newer one) on this data dir, or start this one with another data dir " +
                "(--data-dir); a store is never downgraded.");
        }

        if (version == schema.Latest && stored == version)
        {
            return new SchemaUpgrade(version, version);
        }

        foreach (var step in schema.After(version))
        {
            try
            {
                using var command = connection.CreateCommand();
                command.Transaction = tx;
                command.CommandText = step.Sql;
                command.ExecuteNonQuery();
            }
            catch (SqliteException e)
            {
                throw new StoreSchemaException(
                    $"{file}: migration {step.Version} of the {schema.StoreName} ({step.Description}) failed: {e.Message}. Nothing was " +
                    $"changed, the file is still at schema version {version}. Keep a copy of it and report this with the Canopy version.", e);
            }
        }

        Scalar(connection, tx, string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {schema.Latest};"));
        tx.Commit();
        return new SchemaUpgrade(version, schema.Latest);
    }

    /// <summary>
    /// Version 0 is a new, empty file, or one written before schema versions existed: the latter has the tables of migration 1
    /// (which is exactly that schema) and counts as version 1.
    /// </summary>
    private static int Unversioned(SqliteConnection connection, SqliteTransaction tx, SchemaMigrations schema, string file)
    {
        var tables = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var command = connection.CreateCommand())
        {
            command.Transaction = tx;
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        if (tables.Count == 0)
        {
            return 0;
        }

        var missing = schema.BaselineTables.Where(t => !tables.Contains(t)).ToList();
        return missing.Count == 0
            ? 1
            : throw new StoreSchemaException(
                $"{file} has tables but no schema version, and not the tables of a Canopy {schema.StoreName} (missing: " +
                $"{string.Join(", ", missing)}): it is not a Canopy store. Move it out of the data dir, or start with another data dir.");
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction tx, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
