using Canopy.Testing;

namespace Canopy.Storage.Tests;

/// <summary>Ordered migrations on a real SQLite file: what runs, what is refused, and that a failure changes nothing.</summary>
public sealed class SchemaMigrationTests : IDisposable
{
    private const string V1 = "CREATE TABLE people (name TEXT PRIMARY KEY); CREATE TABLE pets (name TEXT NOT NULL, owner TEXT);";
    private const string V2 = "ALTER TABLE people ADD COLUMN email TEXT;";
    private const string V3 = "CREATE INDEX people_email ON people (email); UPDATE people SET email = name || '@example.org';";

    private readonly string _dir = Directory.CreateTempSubdirectory("canopy-storage-tests-").FullName;

    private string File => Path.Combine(_dir, "test.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_new_file_gets_every_step_and_the_latest_version_and_only_its_owner_may_read_it()
    {
        using var store = new TestStore(File, Schema(V1, V2, V3));

        store.Initialize().ShouldBe(new SchemaUpgrade(0, 3));

        SqliteSnapshot.Take(File).UserVersion.ShouldBe(3);
        SqliteSnapshot.Take(File).Tables["people"].Columns.ShouldBe(["name", "email"]);
        System.IO.File.GetUnixFileMode(File).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void A_file_written_before_versions_existed_counts_as_version_1_and_gets_only_the_later_steps()
    {
        // Version 0 with the tables of step 1: running step 1 again would fail (no IF NOT EXISTS), so it must be skipped.
        Raw("PRAGMA journal_mode=WAL; " + V1 + " INSERT INTO people (name) VALUES ('ada'), ('bob'); INSERT INTO pets VALUES ('rex', 'bob');");
        var before = SqliteSnapshot.Take(File);
        using var store = new TestStore(File, Schema(V1, V2, V3));

        store.Initialize().ShouldBe(new SchemaUpgrade(1, 3));

        var after = SqliteSnapshot.Take(File);
        after.UserVersion.ShouldBe(3);
        after.Lost(before).ShouldBeEmpty();

        after.Tables["people"].RowsOf(["email"]).ShouldBe(["ada@example.org", "bob@example.org"]);
    }

    [Fact]
    public void An_up_to_date_file_is_left_alone()
    {
        using (var first = new TestStore(File, Schema(V1, V2)))
        {
            first.Initialize();
        }

        var before = SqliteSnapshot.Take(File);
        using var again = new TestStore(File, Schema(V1, V2));

        again.Initialize().ShouldBe(new SchemaUpgrade(2, 2));
        SqliteSnapshot.Take(File).SameAs(before).ShouldBeTrue();
    }

    [Fact]
    public void A_file_from_a_newer_canopy_is_refused_with_what_to_do_and_left_as_it_was()
    {
        using (var newer = new TestStore(File, Schema(V1, V2, V3)))
        {
            newer.Initialize();
        }

        var before = SqliteSnapshot.Take(File);
        using var older = new TestStore(File, Schema(V1, V2));

        var refusal = Should.Throw<StoreSchemaException>(() => older.Initialize());

        refusal.Message.ShouldContain(File);
        refusal.Message.ShouldContain("schema version 3");
        refusal.Message.ShouldContain("only up to version 2");
        refusal.Message.ShouldContain("newer Canopy");
        refusal.Message.ShouldContain("--data-dir");
        SqliteSnapshot.Take(File).SameAs(before).ShouldBeTrue();
    }

    [Fact]
    public void A_failed_step_leaves_the_file_as_it_was_even_after_earlier_steps_of_the_same_upgrade_ran()
    {
        using (var v1 = new TestStore(File, Schema(V1)))
        {
            v1.Initialize();
        }

        Raw("INSERT INTO people (name) VALUES ('ada'); INSERT INTO pets VALUES ('rex', 'ada');");
        var before = SqliteSnapshot.Take(File);
        const string Broken = "ALTER TABLE pets ADD COLUMN age INTEGER; INSERT INTO nowhere VALUES (1);";
        using var upgrade = new TestStore(File, Schema(V1, V2, Broken));

        var failure = Should.Throw<StoreSchemaException>(() => upgrade.Initialize());

        failure.Message.ShouldContain("migration 3 of the test store (step 3) failed");
        failure.Message.ShouldContain("no such table: nowhere");
        failure.Message.ShouldContain("still at schema version 1");
        SqliteSnapshot.Take(File).SameAs(before).ShouldBeTrue();

        using var fixedUpgrade = new TestStore(File, Schema(V1, V2, V3));
        fixedUpgrade.Initialize().ShouldBe(new SchemaUpgrade(1, 3));
    }

    [Fact]
    public void A_file_with_other_tables_is_not_taken_for_a_store()
    {
        Raw("CREATE TABLE photos (id INTEGER);");
        using var store = new TestStore(File, Schema(V1));

        var refusal = Should.Throw<StoreSchemaException>(() => store.Initialize());

        refusal.Message.ShouldContain("not the tables of a Canopy test store (missing: people, pets)");
        SqliteSnapshot.Take(File).Tables.Keys.ShouldBe(["photos"]);
    }

    [Fact]
    public void Versions_run_1_2_3_in_order() =>
        Should.Throw<ArgumentException>(() => new SchemaMigrations("test store", [], new SchemaMigration(1, "a", V1), new SchemaMigration(3, "b", V2)))
            .Message.ShouldContain("migration 2 has version 3");

    [Fact]
    public async Task A_store_reads_and_writes_through_its_helpers_after_migrating()
    {
        using var store = new TestStore(File, Schema(V1, V2));
        store.Initialize();

        await store.AddPersonAsync("ada", null);
        await store.AddPersonAsync("bob", "bob@example.org");

        (await store.EmailsAsync()).ShouldBe(["ada: -", "bob: bob@example.org"]);
    }

    private static SchemaMigrations Schema(params string[] steps) =>
        new("test store", ["people", "pets"], steps.Select((sql, i) => new SchemaMigration(i + 1, $"step {i + 1}", sql)).ToArray());

    private void Raw(string sql) => SqliteFile.Execute(File, sql);

    private sealed class TestStore(string path, SchemaMigrations schema) : RelationalStore(StoreLocation.SqliteFile(path), schema)
    {
        public Task AddPersonAsync(string name, string? email) =>
            WriteAsync((c, tx) => Execute(c, tx, "INSERT INTO people (name, email) VALUES (@name, @email)", ("@name", name), ("@email", email)),
                CancellationToken.None);

        public Task<List<string>> EmailsAsync() =>
            ReadAsync(c => Query(c, null, "SELECT name, email FROM people ORDER BY name", r => $"{r.GetString(0)}: {StringOrNull(r, 1) ?? "-"}"),
                CancellationToken.None);
    }
}
