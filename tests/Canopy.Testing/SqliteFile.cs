using Canopy.Storage;
using Microsoft.Data.Sqlite;

namespace Canopy.Testing;

/// <summary>A store's SQLite file handled from outside the store: raw SQL, and an upgrade that is made to fail.</summary>
public static class SqliteFile
{
    /// <summary>An unpooled connection: the file is not held open after it.</summary>
    public static SqliteConnection Open(string file)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public static void Execute(string file, string sql)
    {
        using var connection = Open(file);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Opens <paramref name="file"/> with <paramref name="migrations"/> plus one more step that fails; returns the failure.</summary>
    public static StoreSchemaException FailUpgrade(string file, SchemaMigrations migrations)
    {
        var failing = new SchemaMigrations(migrations.StoreName, migrations.BaselineTables,
            [.. migrations.Steps, new SchemaMigration(migrations.Latest + 1, "a step that fails", "ALTER TABLE nowhere ADD COLUMN x TEXT;")]);
        using var store = new Store(file, failing);
        try
        {
            store.Initialize();
        }
        catch (StoreSchemaException e)
        {
            return e;
        }

        throw new InvalidOperationException($"the failing upgrade of {file} succeeded");
    }

    private sealed class Store(string path, SchemaMigrations schema) : RelationalStore(StoreLocation.SqliteFile(path), schema);
}
