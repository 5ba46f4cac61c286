namespace Canopy.Root.Tests.Infrastructure;

/// <summary>
/// A fresh root over a fresh data dir for every test, logged in as Admin. Its store is SQLite in the data dir, or, in a
/// subclass that overrides <see cref="NewStoreAsync"/>, a fresh PostgreSQL database (the same tests over both providers).
/// </summary>
public abstract class RootTestBase : IAsyncLifetime
{
    private string? _store;

    private protected TempDir Dir { get; } = new();

    private protected RootHost Root { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _store = await NewStoreAsync();
        Root = await RootHost.StartAsync(Dir.Path, Configure);
        await Root.AsAdminAsync();
    }

    public async Task DisposeAsync()
    {
        await Root.DisposeAsync();
        Dir.Dispose();
    }

    private protected virtual void Tweak(RootOptions options)
    {
    }

    /// <summary>The store location of this test (<see cref="RootOptions.Store"/>); null = SQLite in the data dir.</summary>
    private protected virtual Task<string?> NewStoreAsync() => Task.FromResult<string?>(null);

    /// <summary>Stops this root and starts a new one over the same data dir (and store).</summary>
    private protected async Task RestartAsync()
    {
        await Root.DisposeAsync();
        Root = await RootHost.StartAsync(Dir.Path, Configure);
        await Root.AsAdminAsync();
    }

    private void Configure(RootOptions options)
    {
        options.Store = _store;
        Tweak(options);
    }
}
