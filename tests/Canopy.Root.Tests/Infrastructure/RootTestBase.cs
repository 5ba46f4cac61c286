namespace Canopy.Root.Tests.Infrastructure;

/// <summary>A fresh root over a fresh data dir for every test, logged in as Admin.</summary>
public abstract class RootTestBase : IAsyncLifetime
{
    private protected TempDir Dir { get; } = new();

    private protected RootHost Root { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Root = await RootHost.StartAsync(Dir.Path, Tweak);
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

    /// <summary>Stops this root and starts a new one over the same data dir.</summary>
    private protected async Task RestartAsync()
    {
        await Root.DisposeAsync();
        Root = await RootHost.StartAsync(Dir.Path, Tweak);
        await Root.AsAdminAsync();
    }
}
