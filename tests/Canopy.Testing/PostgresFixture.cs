namespace Canopy.Testing;

/// <summary>
/// One throw-away PostgreSQL server for a test class or collection (a class fixture), started when a test first asks for it, and a
/// database of its own for every test (<see cref="NewStoreUrlAsync"/>): the store tests' PostgreSQL fixture.
/// </summary>
public sealed class PostgresFixture : IDisposable, IAsyncDisposable
{
    private readonly Lazy<Task<TestPostgres>> _server = new(() => TestPostgres.StartNewAsync());

    public Task<TestPostgres> ServerAsync() => _server.Value;

    /// <summary>A new, empty database as a <c>--store</c> URL.</summary>
    public async Task<string> NewStoreUrlAsync(string prefix = "canopy")
    {
        var server = await _server.Value;
        return server.Url(await server.CreateDatabaseAsync(prefix));
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (_server.IsValueCreated)
        {
            await (await _server.Value).DisposeAsync();
        }
    }
}
