using Canopy.Testing;
using Npgsql;

namespace Canopy.Storage.Tests;

/// <summary>
/// The same ordered migrations on PostgreSQL: the version in a table of its own, replicas starting together migrate once, a
/// database of a newer schema, of another store or of something else is refused, and a failing step changes nothing.
/// </summary>
public sealed class PostgresMigrationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly SchemaMigrations Schema = new("test store", ["people"],
        new SchemaMigration(1, "people", "CREATE TABLE people (name TEXT PRIMARY KEY, height REAL)", SchemaMigration.PostgresTypes("CREATE TABLE people (name TEXT PRIMARY KEY, height REAL)")),
        new SchemaMigration(2, "emails", "ALTER TABLE people ADD COLUMN email TEXT"));

    [Fact]
    public async Task Replicas_opening_a_new_database_together_migrate_it_once()
    {
        var location = await NewDatabaseAsync();

        var upgrades = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            using var store = new TestStore(location, Schema);
            return store.Initialize();
        })));

        upgrades.Count(u => u == new SchemaUpgrade(0, 2)).ShouldBe(1);
        upgrades.Count(u => u == new SchemaUpgrade(2, 2)).ShouldBe(3);
        (await ScalarAsync(location, "SELECT version FROM canopy_schema WHERE store = 'test store'")).ShouldBe(2);
        (await ScalarAsync(location, "SELECT data_type FROM information_schema.columns WHERE table_name = 'people' AND column_name = 'height'"))
            .ShouldBe("double precision");
    }

    [Fact]
    public async Task A_database_at_version_1_gets_only_the_later_step()
    {
        var location = await NewDatabaseAsync();
        using (var older = new TestStore(location, new SchemaMigrations("test store", ["people"], Schema.Steps[0])))
        {
            older.Initialize().ShouldBe(new SchemaUpgrade(0, 1));
        }

        using var store = new TestStore(location, Schema);

        store.Initialize().ShouldBe(new SchemaUpgrade(1, 2));
    }

    [Fact]
    public async Task A_newer_schema_is_refused_and_left_as_it_is()
    {
        var location = await NewDatabaseAsync();
        using (var newer = new TestStore(location, new SchemaMigrations("test store", ["people"], [.. Schema.Steps, new SchemaMigration(3, "pets", "CREATE TABLE pets (name TEXT)")])))
        {
            newer.Initialize();
        }

        using var store = new TestStore(location, Schema);
        var refusal = Should.Throw<StoreSchemaException>(() => store.Initialize());

        refusal.Message.ShouldContain("has schema version 3, but this Canopy knows the test store only up to version 2");
        refusal.Message.ShouldContain("never downgraded");
        (await ScalarAsync(location, "SELECT version FROM canopy_schema")).ShouldBe(3);
    }

    [Fact]
    public async Task A_database_of_another_store_or_of_something_else_is_refused()
    {
        var location = await NewDatabaseAsync();
        using (var other = new TestStore(location, new SchemaMigrations("other store", ["things"], new SchemaMigration(1, "things", "CREATE TABLE things (id TEXT)"))))
        {
            other.Initialize();
        }

        using var store = new TestStore(location, Schema);
        Should.Throw<StoreSchemaException>(() => store.Initialize()).Message.ShouldContain("holds a Canopy other store, not a test store");

        var foreign = await NewDatabaseAsync();
        await ExecuteAsync(foreign, "CREATE TABLE invoices (id INTEGER)");
        using var onForeign = new TestStore(foreign, Schema);
        Should.Throw<StoreSchemaException>(() => onForeign.Initialize()).Message.ShouldContain("has tables (invoices) but no Canopy schema version");
    }

    [Fact]
    public async Task A_failing_step_changes_nothing()
    {
        var location = await NewDatabaseAsync();
        using var store = new TestStore(location, new SchemaMigrations("test store", ["people"], Schema.Steps[0], new SchemaMigration(2, "broken", "ALTER TABLE nobody ADD COLUMN x TEXT")));

        var failure = Should.Throw<StoreSchemaException>(() => store.Initialize());

        failure.Message.ShouldContain("migration 2 of the test store (broken) failed");
        (await ScalarAsync(location, "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('people', 'canopy_schema')")).ShouldBe(0L);
    }

    private async Task<StoreLocation> NewDatabaseAsync() => StoreLocation.Parse(await postgres.NewStoreUrlAsync("migrations"), "unused");

    private static async Task<object?> ScalarAsync(StoreLocation location, string sql)
    {
        await using var connection = new NpgsqlConnection(location.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static Task ExecuteAsync(StoreLocation location, string sql) => ScalarAsync(location, sql);

    private sealed class TestStore(StoreLocation location, SchemaMigrations schema) : RelationalStore(location, schema);
}
