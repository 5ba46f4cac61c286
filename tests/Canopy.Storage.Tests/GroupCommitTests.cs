using Canopy.Testing;

namespace Canopy.Storage.Tests;

/// <summary>
/// Writes that queue up are committed together (one transaction, one wait for the disk), yet each behaves as if it ran alone:
/// read-modify-writes never interleave, one that throws undoes only itself, and a cancelled one never runs. The same holds on
/// PostgreSQL (<see cref="WriteTestsOnPostgres"/>), where each write is a transaction of its own.
/// </summary>
public class GroupCommitTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("canopy-storage-tests-").FullName;
    private CounterStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new CounterStore(await LocationAsync(Path.Combine(_dir, "test.db")));
        _store.Initialize();
    }

    public Task DisposeAsync()
    {
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private protected virtual Task<StoreLocation> LocationAsync(string file) => Task.FromResult(StoreLocation.SqliteFile(file));

    [Fact]
    public async Task Concurrent_read_modify_writes_never_interleave()
    {
        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => _store.IncrementAsync())));

        (await _store.CounterAsync()).ShouldBe(200);
    }

    [Fact]
    public async Task A_write_that_throws_undoes_only_itself_and_its_caller_gets_the_error()
    {
        var writes = Enumerable.Range(0, 100).Select(i => Task.Run(() => _store.AddAsync($"row{i}", fail: i % 10 == 3))).ToList();

        for (var i = 0; i < writes.Count; i++)
        {
            if (i % 10 == 3)
            {
                (await Should.ThrowAsync<InvalidOperationException>(writes[i])).Message.ShouldBe($"row{i} refused");
            }
            else
            {
                await writes[i];
            }
        }

        var rows = await _store.RowsAsync();
        rows.Count.ShouldBe(90);
        rows.ShouldNotContain("row3");
        rows.ShouldContain("row4");
    }

    [Fact]
    public async Task Reported_writes_commit_like_the_others()
    {
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => i % 2 == 0 ? _store.AddAsync($"r{i}") : _store.AddReportedAsync($"r{i}"))));

        (await _store.RowsAsync()).Count.ShouldBe(50);
    }

    [Fact]
    public async Task A_write_cancelled_before_it_ran_is_not_written()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => _store.AddAsync("never", ct: cancelled.Token));

        (await _store.RowsAsync()).ShouldBeEmpty();
    }

    private sealed class CounterStore(StoreLocation location)
        : RelationalStore(location, new SchemaMigrations("group commit test store", ["rows", "counter"], new SchemaMigration(1, "rows and a counter",
            "CREATE TABLE rows (name TEXT PRIMARY KEY); CREATE TABLE counter (value INTEGER NOT NULL); INSERT INTO counter VALUES (0);")))
    {
        public Task IncrementAsync() => WriteAsync((c, tx) =>
        {
            var value = Scalar(c, tx, "SELECT value FROM counter");
            return Execute(c, tx, "UPDATE counter SET value = @v", ("@v", value + 1));
        }, CancellationToken.None);

        public Task AddAsync(string name, bool fail = false, CancellationToken ct = default) => WriteAsync((c, tx) =>
        {
            Execute(c, tx, "INSERT INTO rows (name) VALUES (@n)", ("@n", name));
            return fail ? throw new InvalidOperationException($"{name} refused") : true;
        }, ct);

        public Task AddReportedAsync(string name) =>
            WriteReportedAsync((c, tx) => Execute(c, tx, "INSERT INTO rows (name) VALUES (@n)", ("@n", name)), CancellationToken.None);

        public Task<long> CounterAsync() => ReadAsync(c => Scalar(c, null, "SELECT value FROM counter"), CancellationToken.None);

        public Task<List<string>> RowsAsync() => ReadAsync(c => Query(c, null, "SELECT name FROM rows ORDER BY name", r => r.GetString(0)), CancellationToken.None);
    }
}

/// <summary>The same writes on a fresh PostgreSQL database of one server per class.</summary>
public sealed class WriteTestsOnPostgres(PostgresFixture postgres) : GroupCommitTests, IClassFixture<PostgresFixture>
{
    private protected override async Task<StoreLocation> LocationAsync(string file) => StoreLocation.Parse(await postgres.NewStoreUrlAsync(), file);
}
