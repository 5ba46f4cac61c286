using System.Diagnostics;
using System.Text.Json;
using Canopy.Contracts.Net;
using Canopy.Core.Addressing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.Net;

/// <summary>
/// The node's kernel data path, through <c>ip</c>, <c>bridge</c> and <c>nft</c>: the VXLAN device <c>cnv&lt;key&gt;</c> with a
/// route, neighbour and forwarding entry per peer, and the nftables table <c>canopy_&lt;key&gt;</c> that sends service IPs to
/// instances. Applies are serialised; a table that arrives while one is applied waits, and the newest one is applied then.
/// </summary>
public sealed class NodeNetwork(ILogger<NodeNetwork>? logger = null) : INodeNetwork
{
    /// <summary>How often the peers' round-trip times are measured.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(5);

    private static readonly string[] Tools = ["ip", "bridge", "nft"];

    private readonly ILogger _log = logger ?? NullLogger<NodeNetwork>.Instance;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private NodeNetSettings? _settings;
    private NetCommands _commands = new(null);
    private int _port;
    private string? _nodeId;
    private string? _ownAddress;
    private NodeNetTable? _desired;
    private NodeNetTable? _current;
    private string? _lastRules;
    private OverlayEntries? _lastOverlay;
    private LatencyProbe? _probe;
    private int _underlayMtu;
    private WireGuardTunnel? _tunnel;
    private string? _tunnelAddress;
    private string _mismatched = "";

    public NodeNetTable? Current => Volatile.Read(ref _current);

    public IReadOnlyDictionary<string, double> Latency => _probe?.Latency ?? new Dictionary<string, double>();

    /// <summary>The nftables script of the last table applied (null before the first).</summary>
    public string? AppliedRules => _lastRules;

    private NodeNetSettings Settings => _settings ?? throw new InvalidOperationException("PrepareAsync must run before the node network is used");

    private string Device => NetNames.Device(Settings.Key);

    public async Task<NodeOverlay> PrepareAsync(NodeNetSettings settings, CancellationToken ct)
    {
        NetNames.Check(settings.Key);
        if (!Ipv4.IsValid(settings.UnderlayIp))
        {
            throw new ArgumentException($"The node's underlay address must be an IPv4 address, not '{settings.UnderlayIp}'", nameof(settings));
        }

        CheckTools(settings.NetNamespace);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _settings = settings;
            _commands = new NetCommands(settings.NetNamespace);
            _underlayMtu = await UnderlayMtuAsync(settings.UnderlayIp, ct).ConfigureAwait(false);
            var mtu = _underlayMtu - NetNames.OverlayOverhead;
            var origin = await EnsureDeviceAsync(settings, settings.UnderlayIp, mtu, settings.OverlayPort, ct).ConfigureAwait(false);
            var table = await _commands.RunAsync("nft", ["add", "table", "ip", NetNames.Table(settings.Key)], null, ct).ConfigureAwait(false);
            if (!table.Ok)
            {
                throw new NodeNetworkUnavailableException($"nftables does not work here ({table.Reason}); the kernel needs nf_tables (modprobe nf_tables)");
            }

            _lastRules = null;
            _lastOverlay = null;
            if (_probe is not null)
            {
                await _probe.DisposeAsync().ConfigureAwait(false);
            }

            _probe = new LatencyProbe(settings.NetNamespace, settings.UnderlayIp, ProbeInterval,
                () => Volatile.Read(ref _desired)?.Peers ?? [], () => _ = ReapplyAsync(), _log);
            NetLog.Prepared(_log, Device, NetNames.Vni, settings.UnderlayIp, _port, mtu, origin);
            return new NodeOverlay(NetNames.VtepMac(settings.Key), _port, mtu);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<NodeOverlay> SetEncryptionAsync(OverlayEncryption? encryption, CancellationToken ct)
    {
        var settings = Settings;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var mac = NetNames.VtepMac(settings.Key);
            if (encryption is null)
            {
                _tunnel = null;
                await WireGuardTunnel.RemoveAsync(_commands, settings.Key, ct).ConfigureAwait(false);
                await MatchDeviceAsync(settings.UnderlayIp, _underlayMtu - NetNames.OverlayOverhead, ct).ConfigureAwait(false);
                return new NodeOverlay(mac, _port, _underlayMtu - NetNames.OverlayOverhead);
            }

            var tunnel = new WireGuardTunnel(_commands, settings.Key);
            await tunnel.EnsureAsync(encryption, _underlayMtu - WireGuardTunnel.Overhead, ct).ConfigureAwait(false);

            // Without a fixed local address the VXLAN packets take the source of the route to the peer: the tunnel address.
            var mtu = _underlayMtu - WireGuardTunnel.Overhead - NetNames.OverlayOverhead;
            await MatchDeviceAsync(null, mtu, ct).ConfigureAwait(false);
            await tunnel.GuardAsync(_port, ct).ConfigureAwait(false);
            if (_tunnelAddress is not null)
            {
                await tunnel.SetAddressAsync(_tunnelAddress, ct).ConfigureAwait(false);
            }

            _tunnel = tunnel;
            _lastOverlay = null;
            await ApplyLockedAsync(ct).ConfigureAwait(false);
            NetLog.Encrypted(_log, tunnel.Device, tunnel.Port, tunnel.PublicKey, mtu);
            return new NodeOverlay(mac, _port, mtu, tunnel.PublicKey, tunnel.Port);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task SetIdentityAsync(string nodeId, string subnet, CancellationToken ct)
    {
        if (!Ipv4Network.TryParse(subnet, out var network) || network.Prefix > 30)
        {
            throw new ArgumentException($"A node's subnet is an IPv4 network of at most /30 in CIDR form, not '{subnet}'", nameof(subnet));
        }

        var address = OverlayPlan.FirstAddress(network);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var shown = await CheckedAsync("ip", ["-j", "addr", "show", "dev", Device], ct).ConfigureAwait(false);
            var others = AddressesOf(shown).Where(a => a != $"{address}/32");
            foreach (var old in others)
            {
                await CheckedAsync("ip", ["addr", "del", old, "dev", Device], ct).ConfigureAwait(false);
            }

            await CheckedAsync("ip", ["addr", "replace", $"{address}/32", "dev", Device], ct).ConfigureAwait(false);
            _nodeId = nodeId;
            _ownAddress = address;
            _tunnelAddress = TunnelAddresses.Of(subnet);
            if (_tunnel is not null && _tunnelAddress is not null)
            {
                await _tunnel.SetAddressAsync(_tunnelAddress, ct).ConfigureAwait(false);
            }

            NetLog.Identity(_log, address, Device, nodeId);
            await ApplyLockedAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task ApplyAsync(NodeNetTable table, CancellationToken ct)
    {
        _ = Settings;
        Volatile.Write(ref _desired, table);
        var known = Latency;
        if (table.Peers.Any(p => !known.ContainsKey(p.NodeId)))
        {
            _probe?.Wake();
        }

        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await ApplyLockedAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task RemoveAsync(CancellationToken ct)
    {
        await StopProbeAsync().ConfigureAwait(false);
        if (_settings is null)
        {
            return;
        }

        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await RemoveAsync(_commands, Settings.Key, ct).ConfigureAwait(false);
            _lastRules = null;
            _lastOverlay = null;
            Volatile.Write(ref _current, null);
            Volatile.Write(ref _desired, null);
            NetLog.Removed(_log, Device, NetNames.Table(Settings.Key));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Removes <c>cnv&lt;key&gt;</c> and the table <c>canopy_&lt;key&gt;</c> of a node that is gone, when they exist; quietly
    /// (what is missing or cannot be removed is left). Returns how many of the two it removed.
    /// </summary>
    /// <param name="netNamespace">The network namespace (a path like <c>/run/netns/x</c>) the node ran in; null: this process's.</param>
    public static int RemoveLeftovers(string key, string? netNamespace = null)
    {
        if (!NetNames.IsValid(key))
        {
            return 0;
        }

        return RemoveAsync(new NetCommands(netNamespace), key, CancellationToken.None).GetAwaiter().GetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await StopProbeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
    }

    private static async Task<int> RemoveAsync(NetCommands commands, string key, CancellationToken ct)
    {
        var removed = await WireGuardTunnel.RemoveAsync(commands, key, ct).ConfigureAwait(false);
        var link = await commands.RunAsync("ip", ["link", "show", "dev", NetNames.Device(key)], null, ct).ConfigureAwait(false);
        if (link.Ok && (await commands.RunAsync("ip", ["link", "del", "dev", NetNames.Device(key)], null, ct).ConfigureAwait(false)).Ok)
        {
            removed++;
        }

        var table = await commands.RunAsync("nft", ["list", "table", "ip", NetNames.Table(key)], null, ct).ConfigureAwait(false);
        if (table.Ok && (await commands.RunAsync("nft", ["delete", "table", "ip", NetNames.Table(key)], null, ct).ConfigureAwait(false)).Ok)
        {
            removed++;
        }

        return removed;
    }

    private static void CheckTools(string? netNamespace)
    {
        foreach (var tool in Tools)
        {
            if (NetCommands.Find(tool) is null)
            {
                var package = tool == "nft" ? "nftables" : "iproute2";
                throw new NodeNetworkUnavailableException(
                    $"{tool} is not installed: the node's overlay needs it (Debian package {package}; scripts/install-deps.sh installs it)");
            }
        }

        if (netNamespace is not null && (NetCommands.Find("nsenter") is null || !File.Exists(netNamespace)))
        {
            throw new NodeNetworkUnavailableException(
                $"The network namespace {netNamespace} cannot be entered: it does not exist or nsenter (util-linux) is missing");
        }
    }

    private async Task<int> UnderlayMtuAsync(string underlayIp, CancellationToken ct)
    {
        using var links = JsonDocument.Parse(await CheckedAsync("ip", ["-j", "addr", "show"], ct).ConfigureAwait(false));
        foreach (var link in links.RootElement.EnumerateArray())
        {
            var addresses = link.TryGetProperty("addr_info", out var info) ? info.EnumerateArray() : default;
            if (addresses.Any(a => a.TryGetProperty("local", out var local) && local.GetString() == underlayIp))
            {
                return link.GetProperty("mtu").GetInt32();
            }
        }

        throw new NodeNetworkUnavailableException(
            $"The node's underlay address {underlayIp} is not an address of any interface here: give the address other nodes reach this machine at");
    }

    /// <summary>
    /// The VXLAN device with <paramref name="local"/> as its fixed source (null: encrypted, the route's source) and
    /// <paramref name="mtu"/>, on the port it has: made anew only when the source differs (its entries come back with the next apply).
    /// </summary>
    private async Task MatchDeviceAsync(string? local, int mtu, CancellationToken ct)
    {
        var device = (await VxlanDevicesAsync(ct).ConfigureAwait(false)).FirstOrDefault(v => v.Name == Device);
        if (device is not null && device.Local == local)
        {
            await CheckedAsync("ip", ["link", "set", "dev", Device, "mtu", Num(mtu)], ct).ConfigureAwait(false);
            return;
        }

        if (device is not null)
        {
            await CheckedAsync("ip", ["link", "del", "dev", Device], ct).ConfigureAwait(false);
        }

        await EnsureDeviceAsync(Settings, local, mtu, _port, ct).ConfigureAwait(false);
        if (_ownAddress is not null)
        {
            await CheckedAsync("ip", ["addr", "replace", $"{_ownAddress}/32", "dev", Device], ct).ConfigureAwait(false);
        }

        _lastOverlay = null;
    }

    /// <summary>
    /// Adopts the device a previous run made when it fits (same VNI, wanted port, and the underlay address or none: an encrypted
    /// overlay's, which <see cref="SetEncryptionAsync"/> keeps or changes), else makes it anew.
    /// </summary>
    private async Task<string> EnsureDeviceAsync(NodeNetSettings settings, string? local, int mtu, int wantedPort, CancellationToken ct)
    {
        var device = NetNames.Device(settings.Key);
        var mac = NetNames.VtepMac(settings.Key);
        var vxlans = await VxlanDevicesAsync(ct).ConfigureAwait(false);
        var existing = vxlans.FirstOrDefault(v => v.Name == device);
        if (existing is not null && existing.Vni == NetNames.Vni && (existing.Local == local || existing.Local is null)
            && (wantedPort == 0 || wantedPort == existing.Port))
        {
            _port = existing.Port;
            await CheckedAsync("ip", ["link", "set", "dev", device, "address", mac, "mtu", Num(mtu), "up"], ct).ConfigureAwait(false);
            return "adopted";
        }

        if (existing is not null)
        {
            await CheckedAsync("ip", ["link", "del", "dev", device], ct).ConfigureAwait(false);
        }

        var taken = vxlans.Where(v => v.Name != device).Select(v => v.Port).ToHashSet();
        var candidates = wantedPort != 0
            ? [wantedPort]
            : Enumerable.Range(NetNames.DefaultOverlayPort, 1000).Where(p => !taken.Contains(p)).Take(20).ToList();
        string? reason = null;
        foreach (var port in candidates)
        {
            // Another node starting in this namespace at the same moment may take the same port between our look and our add: the
            // kernel refuses the second device (same VNI and port) or its socket, and the next port is tried.
            _port = port;
            string[] source = local is null ? [] : ["local", local];
            var created = await _commands.RunAsync("ip",
                ["link", "add", device, "address", mac, "mtu", Num(mtu), "type", "vxlan", "id", Num(NetNames.Vni), .. source,
                 "dstport", Num(_port), "nolearning"], null, ct).ConfigureAwait(false);
            if (created.Ok)
            {
                var up = await _commands.RunAsync("ip", ["link", "set", "dev", device, "up"], null, ct).ConfigureAwait(false);
                if (up.Ok)
                {
                    return "created";
                }

                reason = up.Reason;
                await _commands.RunAsync("ip", ["link", "del", "dev", device], null, ct).ConfigureAwait(false);
            }
            else
            {
                reason = created.Reason;
            }
        }

        throw new NodeNetworkUnavailableException(
            $"Cannot create the overlay device {device} ({reason}); the kernel needs VXLAN support (modprobe vxlan) and a free UDP port from {NetNames.DefaultOverlayPort}");
    }

    private sealed record VxlanDevice(string Name, int Vni, string? Local, int Port);

    private async Task<IReadOnlyList<VxlanDevice>> VxlanDevicesAsync(CancellationToken ct)
    {
        using var links = JsonDocument.Parse(await CheckedAsync("ip", ["-j", "-d", "link", "show", "type", "vxlan"], ct).ConfigureAwait(false));
        return links.RootElement.EnumerateArray()
            .Where(l => l.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_data", out _))
            .Select(l =>
            {
                var data = l.GetProperty("linkinfo").GetProperty("info_data");
                return new VxlanDevice(
                    l.GetProperty("ifname").GetString() ?? "",
                    data.TryGetProperty("id", out var id) ? id.GetInt32() : 0,
                    data.TryGetProperty("local", out var local) ? local.GetString() : null,
                    data.TryGetProperty("port", out var port) ? port.GetInt32() : 0);
            })
            .ToList();
    }

    private static IEnumerable<string> AddressesOf(string addrJson)
    {
        using var links = JsonDocument.Parse(addrJson);
        return links.RootElement.EnumerateArray()
            .SelectMany(l => l.TryGetProperty("addr_info", out var info) ? info.EnumerateArray().ToList() : [])
            .Where(a => a.GetProperty("family").GetString() == "inet")
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}")
            .ToList();
    }

    /// <summary>Under the gate: the newest desired table into the kernel (rules only when their text changed; overlay when its entries did).</summary>
    private async Task ApplyLockedAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _desired) is not { } table)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var rules = NftRules.Render(Settings.Key, _nodeId, table, Latency);
        var rulesOutcome = "unchanged";
        if (rules != _lastRules)
        {
            var applied = await _commands.RunAsync("nft", ["-f", "-"], rules, ct).ConfigureAwait(false);
            if (!applied.Ok)
            {
                throw new InvalidOperationException($"nft refused the rules of net table {table.Version}: {applied.Reason}");
            }

            _lastRules = rules;
            rulesOutcome = "replaced";
        }

        var overlay = OverlayPlan.Desired(Settings.UnderlayIp, _ownAddress, table.Peers, encrypted: _tunnel is not null);
        var mismatched = string.Join(", ", overlay.Mismatched ?? []);
        if (mismatched != _mismatched && mismatched.Length > 0)
        {
            NetLog.PeersMismatched(_log, mismatched, _tunnel is null ? "they encrypt the overlay and this node does not" : "they do not encrypt the overlay and this node does");
        }

        _mismatched = mismatched;
        var overlayOutcome = "unchanged";
        if (_lastOverlay is null || !overlay.SameAs(_lastOverlay))
        {
            if (_tunnel is not null)
            {
                await _tunnel.ApplyAsync(overlay.Tunnel ?? [], _tunnelAddress, ct).ConfigureAwait(false);
            }

            overlayOutcome = await ReconcileOverlayAsync(overlay, ct).ConfigureAwait(false);
            _lastOverlay = overlay;
        }

        Volatile.Write(ref _current, table);
        NetLog.Applied(_log, table.Version, table.Services.Count, table.Peers.Count, rulesOutcome, overlayOutcome,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task<string> ReconcileOverlayAsync(OverlayEntries desired, CancellationToken ct)
    {
        var routes = await CheckedAsync("ip", ["-j", "route", "show", "dev", Device], ct).ConfigureAwait(false);
        var neighbours = await CheckedAsync("ip", ["-j", "neigh", "show", "dev", Device], ct).ConfigureAwait(false);
        var forwarding = await CheckedAsync("bridge", ["-j", "fdb", "show", "dev", Device], ct).ConfigureAwait(false);
        var current = OverlayPlan.ParseCurrent(routes, neighbours, forwarding, _port);
        var (ip, bridge) = OverlayPlan.Reconcile(Device, desired, current);
        foreach (var (tool, script) in new[] { ("ip", ip), ("bridge", bridge) }.Where(s => s.Item2.Length > 0))
        {
            var result = await _commands.RunAsync(tool, ["-force", "-batch", "-"], script, ct).ConfigureAwait(false);
            if (!result.Ok)
            {
                throw new InvalidOperationException($"{tool} could not program the overlay on {Device}: {result.Reason}");
            }
        }

        var changes = ip.Count(c => c == '\n') + bridge.Count(c => c == '\n');
        return changes == 0 ? "in place" : $"{changes} changes";
    }

    /// <summary>After new round-trip times: the same table again (nothing runs unless a closest service IP now leads elsewhere).</summary>
    private async Task ReapplyAsync()
    {
        try
        {
            await _gate.WaitAsync(_stopping.Token).ConfigureAwait(false);
            try
            {
                var before = _lastRules;
                await ApplyLockedAsync(_stopping.Token).ConfigureAwait(false);
                if (before is not null && _lastRules != before)
                {
                    NetLog.Reapplied(_log, Current?.Version ?? 0);
                }
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            NetLog.ReapplyFailed(_log, e);
        }
    }

    private async Task StopProbeAsync()
    {
        if (Interlocked.Exchange(ref _probe, null) is { } probe)
        {
            await probe.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<string> CheckedAsync(string program, string[] args, CancellationToken ct)
    {
        var result = await _commands.RunAsync(program, args, null, ct).ConfigureAwait(false);
        return result.Ok ? result.Output : throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed: {result.Reason}");
    }

    private static string Num(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
