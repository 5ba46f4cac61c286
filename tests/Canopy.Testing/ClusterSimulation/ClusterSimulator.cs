namespace Canopy.Testing.ClusterSimulation;

/// <summary>What every simulated cluster of a <see cref="ClusterSimulator"/> shares.</summary>
/// <param name="JoinToken">A cluster join token as the root issues it (<c>secret.sha256:pin</c>); the pin is checked for an https root.</param>
public sealed record ClusterSimulatorOptions(string RootUrl, string JoinToken, string NamePrefix = "simc")
{
    public int NodesPerCluster { get; init; } = 10;
    public int VcpusPerNode { get; init; } = 4;
    public long MemoryPerNode { get; init; } = 8192;
    public string Location { get; init; } = "48.1,11.6";
}

/// <summary>
/// N <see cref="SimulatedCluster"/>s in one process against one root, each with its own identity (name
/// <c>&lt;prefix&gt;-&lt;i&gt;</c>, i from 1, its own secret and link credential) and its own link. Registration goes a few at a
/// time, as many clusters starting together would not all hit the root in the same millisecond.
/// </summary>
public sealed class ClusterSimulator : IAsyncDisposable
{
    private const int ConcurrentRegistrations = 8;

    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _registering = new(ConcurrentRegistrations);
    private readonly HttpClient _http;
    private readonly List<Task> _running = [];

    public ClusterSimulator(ClusterSimulatorOptions options, int count)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _http = SimulatedCluster.CreateHttpClient(options.JoinToken);
        Clusters = Enumerable.Range(1, count).Select(i => new SimulatedCluster(options, $"{options.NamePrefix}-{i}")).ToList();
    }

    public IReadOnlyList<SimulatedCluster> Clusters { get; }

    public int Linked => Clusters.Count(c => c.Linked);

    /// <summary>Starts every cluster and returns once all are linked, or throws <see cref="TimeoutException"/>.</summary>
    public async Task StartAsync(TimeSpan timeout)
    {
        foreach (var cluster in Clusters)
        {
            await _registering.WaitAsync(_stop.Token);
            _running.Add(Task.Run(() => cluster.RunAsync(_http, _stop.Token)));
            _running.Add(ReleaseWhenLinkedAsync(cluster));
        }

        await Wait.UntilAsync(() => Task.FromResult(Linked == Clusters.Count), timeout, $"{Clusters.Count} simulated clusters linked to the root");
    }

    private async Task ReleaseWhenLinkedAsync(SimulatedCluster cluster)
    {
        try
        {
            await Wait.UntilAsync(() => Task.FromResult(cluster.Linked), TimeSpan.FromSeconds(30), $"{cluster.Name} linked");
        }
        catch (TimeoutException)
        {
            // It keeps trying on its own; the next ones need not wait for it.
        }
        finally
        {
            _registering.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _http.Dispose();
        _registering.Dispose();
        _stop.Dispose();
    }
}
