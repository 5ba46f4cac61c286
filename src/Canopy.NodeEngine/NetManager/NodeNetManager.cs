using System.Threading.Channels;
using Canopy.Contracts;
using Canopy.Contracts.Net;
using Canopy.Net;
using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.Network;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.NetManager;

/// <summary>
/// The node's side of the net manager: prepares the kernel overlay once at start (a node whose kernel or tools cannot, says why
/// once and runs on without one), tells it the node's identity after each registration, applies each table the cluster
/// publishes (the newest wins: a table is a whole snapshot) and rewrites the instances' hosts files from it.
/// </summary>
internal sealed class NodeNetManager : IDisposable, IAsyncDisposable
{
    private readonly NodeEngineOptions _options;
    private readonly NodeFacts _facts;
    private readonly NodeSubnet _subnet;
    private readonly HostNetwork _network;
    private readonly INodeNetwork _kernel;
    private readonly InstanceHosts _hosts;
    private readonly ILogger _log;

    // Only the newest table waiting matters: each replaces the whole kernel state.
    private readonly Channel<Received> _tables = Channel.CreateBounded<Received>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly CancellationTokenSource _stopping = new();
    private NetworkClaim? _claim;
    private Task _applying = Task.CompletedTask;
    private int _started;
    private int _disposed;

    public NodeNetManager(
        NodeEngineOptions options, NodeFacts facts, NodeSubnet subnet, HostNetwork network, INodeNetwork kernel, InstanceHosts hosts,
        ILogger<NodeNetManager> log)
    {
        _options = options;
        _facts = facts;
        _subnet = subnet;
        _network = network;
        _kernel = kernel;
        _hosts = hosts;
        _log = log;
    }

    /// <summary>The node's WireGuard private key (0600) in its data dir, made when its cluster first asks for an encrypted overlay.</summary>
    public const string WireGuardKeyFile = "wireguard.key";

    /// <summary>The node's VXLAN endpoint, for its registration and information; null without an overlay.</summary>
    public NodeOverlay? Overlay { get; private set; }

    /// <summary>Round-trip times to the overlay peers in ms (to the µs), by node id; null when none was measured.</summary>
    public IReadOnlyDictionary<string, double>? Latency
    {
        get
        {
            if (Overlay is null)
            {
                return null;
            }

            var measured = _kernel.Latency;
            return measured.Count == 0 ? null : measured.ToDictionary(p => p.Key, p => Math.Round(p.Value, 3), StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Once, before the first registration: the node's kernel-state record names the overlay first (a crash right after leaves
    /// nothing unowned), then the device and table are created or adopted.
    /// </summary>
    public async Task StartAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        _applying = Task.Run(() => ApplyTablesAsync(_stopping.Token), CancellationToken.None);
        try
        {
            _claim = _network.TryClaim(out var problem);
            if (_claim is null)
            {
                NetManagerLog.Unavailable(_log, problem!);
                return;
            }

            var key = NodeKey.Short(_options.DataDir);
            var overlay = await _kernel.PrepareAsync(new NodeNetSettings(key, _facts.Ip), ct).ConfigureAwait(false);
            _network.PodMtu = overlay.Mtu;
            Overlay = overlay;
            NetManagerLog.Prepared(_log, NetNames.Device(key), overlay.VtepMac, overlay.Port, overlay.Mtu, NetNames.Table(key));
        }
        catch (NodeNetworkUnavailableException e)
        {
            NetManagerLog.Unavailable(_log, e.Message);
        }
        catch (ArgumentException e)
        {
            // An advertised address the overlay cannot use (not IPv4): the node works, without the overlay.
            NetManagerLog.Unavailable(_log, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            NetManagerLog.Unavailable(_log, $"the node's kernel state cannot be recorded under {_options.NetworkStateDir} ({e.Message})");
        }
    }

    /// <summary>
    /// After each registration: whether the cluster encrypts the overlay (the WireGuard key and port then go into the
    /// information reports), the node's id and its (possibly new) subnet, whose first address the device takes.
    /// </summary>
    public async Task SetIdentityAsync(string nodeId, bool overlayEncryption, CancellationToken ct)
    {
        if (Overlay is null || _subnet.Current is not { } subnet)
        {
            return;
        }

        try
        {
            var encryption = overlayEncryption ? new OverlayEncryption(Path.Combine(_options.DataDir, WireGuardKeyFile)) : null;
            var overlay = await _kernel.SetEncryptionAsync(encryption, ct).ConfigureAwait(false);
            _network.PodMtu = overlay.Mtu;
            Overlay = overlay;
        }
        catch (NodeNetworkUnavailableException e)
        {
            // Never plain instead: without its tunnel the node keeps no overlay peers (an empty table) until it can encrypt.
            NetManagerLog.Unavailable(_log, e.Message);
            await _kernel.ApplyAsync(new Contracts.Net.NodeNetTable(), ct).ConfigureAwait(false);
            Overlay = null;
            return;
        }

        try
        {
            await _kernel.SetIdentityAsync(nodeId, subnet, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The node still registers and runs its instances; the overlay misses its address until the next registration.
            NetManagerLog.IdentityFailed(_log, e, nodeId, subnet);
        }
    }

    /// <summary>
    /// A message on <c>nodes/&lt;id&gt;/net/table</c>. Its retained table arrives at every (re)connect; an empty one is the
    /// cluster clearing it (the node was forgotten or left), which withdraws every route and rule. Malformed: <see cref="System.Text.Json.JsonException"/>.
    /// </summary>
    public void Receive(ReadOnlySpan<byte> payload)
    {
        var table = payload.IsEmpty
            ? new NodeNetTable()
            : NodeJson.Deserialize<NodeNetTable>(payload) ?? throw new System.Text.Json.JsonException("null table");
        _tables.Writer.TryWrite(new Received(table, Withdrawn: payload.IsEmpty));
    }

    private async Task ApplyTablesAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (table, withdrawn) in _tables.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (Overlay is not null)
                {
                    try
                    {
                        await _kernel.ApplyAsync(table, ct).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        NetManagerLog.ApplyFailed(_log, e, table.Version);
                    }
                }

                // Names only follow once the addresses they lead to are routed.
                var rewritten = _hosts.Update(table);
                if (withdrawn)
                {
                    NetManagerLog.Withdrawn(_log);
                }
                else
                {
                    NetManagerLog.Applied(_log, table.Version, table.Services.Count, table.Peers.Count, rewritten);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The node engine stops; the kernel keeps the last table for the instances that outlive it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _tables.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _applying.ConfigureAwait(false);
        await _kernel.DisposeAsync().ConfigureAwait(false);
        _claim?.Dispose();
        _stopping.Dispose();
    }

    private readonly record struct Received(NodeNetTable Table, bool Withdrawn);

    /// <summary>For a host disposed synchronously (the container refuses async-only singletons there).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
