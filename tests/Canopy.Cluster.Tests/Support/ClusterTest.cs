namespace Canopy.Cluster.Tests.Support;

/// <summary>A real cluster (its own Mosquitto and SQLite store) linked to a fake root, fresh for each test of the class.</summary>
public abstract class ClusterTest(ITestOutputHelper output) : IAsyncLifetime
{
    protected ITestOutputHelper Output { get; } = output;
    private protected FakeRoot Root { get; private set; } = null!;
    private protected TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Root = await FakeRoot.StartAsync();
        Cluster = await TestCluster.StartAsync(Output, Root, Configure);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Root.DisposeAsync();
    }

    /// <summary>Options of the cluster under test, before it starts.</summary>
    private protected virtual void Configure(ClusterOptions options)
    {
    }
}
