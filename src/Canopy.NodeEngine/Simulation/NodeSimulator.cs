using Canopy.NodeEngine.Monitoring;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Simulation;

/// <summary>
/// N simulated node engines in one process (<c>canopy node --simulate N</c>), for scale runs: each registers with the real
/// cluster through the real path, holds its own TLS connection to the cluster's Mosquitto with its own credentials, reports on
/// the node engine's schedule and runs deployments as <see cref="SimulatedRuntime"/> instances. Node <c>i</c> is named
/// <c>&lt;name&gt;-&lt;i&gt;</c> (i from 1) and keeps its id in <c>&lt;DataDir&gt;/&lt;name&gt;-&lt;i&gt;/node.json</c>, so a
/// simulator started again over the same data dir brings the same nodes back.
/// </summary>
public sealed class NodeSimulator : IAsyncDisposable
{
    /// <summary>
    /// Registrations in flight at once. The cluster applies the broker accounts of registrations that arrive together in one batch
    /// (one password-file rewrite, reload and probe), so more in flight means larger batches; each is one HTTPS handshake here and
    /// at the cluster, cheap with the clusters' P-256 keys.
    /// </summary>
    public const int ConcurrentRegistrations = 64;

    private readonly SimulatedNode[] _nodes;
    private readonly SemaphoreSlim _registering = new(ConcurrentRegistrations, ConcurrentRegistrations);
    private readonly JoinTimings _joins = new();
    private readonly ILogger _log;
    private readonly NodeEngineOptions _template;

    /// <param name="template">Cluster URL, join token, report interval, location and resources shared by every simulated node; its
    /// <see cref="NodeEngineOptions.DataDir"/> holds one directory per node and its name (the host name when unset) is the prefix.</param>
    public NodeSimulator(NodeEngineOptions template, int count, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _template = template;
        _log = loggers.CreateLogger<NodeSimulator>();

        // One sampler for all: thousands reading /proc every 2 s would measure the simulator, not the cluster.
        var monitor = new ResourceMonitor(reuseFor: TimeSpan.FromSeconds(1));
        _nodes = Enumerable.Range(1, count)
            .Select(i => new SimulatedNode(OptionsFor(template, i), monitor, _registering, _joins, loggers))
            .ToArray();
        Problem = _nodes[0].Problem;
    }

    public int Count => _nodes.Length;

    /// <summary>Why the nodes cannot talk to their cluster as configured; null when they can.</summary>
    public string? Problem { get; }

    /// <summary>Nodes registered, connected and online now.</summary>
    public int Online => _nodes.Count(n => n.IsAlive && n.IsOnline);

    /// <summary>Where the joins spent their time so far, seen from the nodes (one line).</summary>
    public string Joins => _joins.ToString();

    /// <summary>Nodes not killed.</summary>
    public int Alive => _nodes.Count(n => n.IsAlive);

    /// <summary>The name of node <paramref name="number"/> (from 1).</summary>
    public string NameOf(int number) => _nodes[number - 1].Name;

    /// <summary>Starts every node; they register a few at a time and then hold their sessions.</summary>
    public void Start()
    {
        if (Problem is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        SimulationLog.Starting(_log, _nodes.Length, _template.DataDir, _template.ClusterUrl);
        foreach (var node in _nodes)
        {
            node.Revive();
        }
    }

    /// <summary>Cuts the connections of nodes <paramref name="first"/>..<paramref name="last"/> (from 1, inclusive), as a crash would.</summary>
    public Task KillAsync(int first, int last) => Task.WhenAll(Range(first, last).Select(n => n.Kill()));

    /// <summary>Brings nodes <paramref name="first"/>..<paramref name="last"/> back: they register again with the ids they had.</summary>
    public void Revive(int first, int last)
    {
        foreach (var node in Range(first, last))
        {
            node.Revive();
        }
    }

    private IEnumerable<SimulatedNode> Range(int first, int last)
    {
        if (first < 1 || last > _nodes.Length || first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"nodes are numbered 1..{_nodes.Length}; {first}..{last} is not a range of them");
        }

        return _nodes[(first - 1)..last];
    }

    private static NodeEngineOptions OptionsFor(NodeEngineOptions template, int number)
    {
        var name = $"{template.NodeName}-{number}";
        var dataDir = Path.Combine(template.DataDir, name);
        return new NodeEngineOptions
        {
            DataDir = dataDir,
            Name = name,
            ClusterUrl = template.ClusterUrl,
            JoinToken = template.JoinToken,
            Location = template.Location,
            AdvertisedIp = template.AdvertisedIp,
            InformationInterval = template.InformationInterval,
            KeepAlive = template.KeepAlive,
            InformationRefreshInterval = template.InformationRefreshInterval,
            InventoryRefreshInterval = template.InventoryRefreshInterval,
            Resources = template.Resources,
            StartContainerd = false,

            // Each its own: one shared registration lock would queue thousands of nodes behind a 50 ms poll.
            NetworkStateDir = Path.Combine(dataDir, "net"),
        };
    }

    /// <summary>Every node goes offline and disconnects, as stopped node engines do.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(n => n.StopAsync())).ConfigureAwait(false);
        _registering.Dispose();
    }
}
