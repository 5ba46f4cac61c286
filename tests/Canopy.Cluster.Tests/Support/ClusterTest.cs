namespace Canopy.Cluster.Tests.Support;

/// <summary>
/// A real cluster (its own Mosquitto and SQLite store) linked to a fake root, fresh for each test of the class. A subclass that
/// overrides <see cref="NewStoreAsync"/> runs the same tests on a fresh PostgreSQL database.
/// </summary>
public abstract class ClusterTest(ITestOutputHelper output) : IAsyncLifetime
{
    protected ITestOutputHelper Output { get; } = output;
    private protected FakeRoot Root { get; private set; } = null!;
    private protected TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Root = await FakeRoot.StartAsync();
        var store = await NewStoreAsync();
        Cluster = await TestCluster.StartAsync(Output, Root, o =>
        {
            o.Store = store;
            Configure(o);
        });
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Root.DisposeAsync();
    }

    /// <summary>The store location of this test (<see cref="ClusterOptions.Store"/>); null = SQLite in the data dir.</summary>
    private protected virtual Task<string?> NewStoreAsync() => Task.FromResult<string?>(null);

    /// <summary>Options of the cluster under test, before it starts.</summary>
    private protected virtual void Configure(ClusterOptions options)
    {
    }
}
