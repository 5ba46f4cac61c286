using System.Globalization;
using System.Text;
using System.Text.Json;
using Canopy.Contracts.Net;
using Canopy.Core.Addressing;

namespace Canopy.Net;

/// <summary>A route on the VXLAN device: to a peer's subnet via its first address (on-link), or to the service range from this node's address.</summary>
public sealed record OverlayRoute(string Destination, string? Gateway, string? Source);

/// <summary>A permanent neighbour entry: a peer's first address is its VXLAN device's MAC.</summary>
public sealed record OverlayNeighbour(string Address, string Mac);

/// <summary>A forwarding entry: frames for a peer's MAC go to its underlay address and port.</summary>
public sealed record OverlayForwarding(string Mac, string Destination, int Port);

/// <param name="Tunnel">With an encrypted overlay: the WireGuard peers the forwarding entries lead to.</param>
/// <param name="Mismatched">Peers left out because their encryption differs from this node's (by node id).</param>
public sealed record OverlayEntries(
    IReadOnlyList<OverlayRoute> Routes, IReadOnlyList<OverlayNeighbour> Neighbours, IReadOnlyList<OverlayForwarding> Forwarding,
    IReadOnlyList<TunnelPeer>? Tunnel = null, IReadOnlyList<string>? Mismatched = null)
{
    public static readonly OverlayEntries None = new([], [], []);

    public bool SameAs(OverlayEntries other) =>
        Routes.SequenceEqual(other.Routes) && Neighbours.SequenceEqual(other.Neighbours) && Forwarding.SequenceEqual(other.Forwarding)
        && (Tunnel ?? []).SequenceEqual(other.Tunnel ?? []);
}

/// <summary>
/// The overlay entries a node's VXLAN device should have for its peers, and the <c>ip -batch</c> / <c>bridge -batch</c> scripts
/// that make what the kernel shows now into that: add or replace the desired, delete what is not in the table.
/// </summary>
public static class OverlayPlan
{
    /// <summary>
    /// Per valid peer (not this machine: same underlay address means same kernel; valid address, /8–/30 subnet, unicast MAC,
    /// port), sorted by node id, a subnet or MAC already taken by an earlier peer skipped: its route, neighbour and forwarding
    /// entry. With <paramref name="ownAddress"/> (the device's address, once the node has its subnet) also the route that
    /// makes host processes' connections to service IPs start from it, so that answers come back over the overlay.
    /// </summary>
    /// <para>
    /// <paramref name="encrypted"/>: this node sends through WireGuard. Only peers that do the same are connected, the forwarding
    /// entry then leads to the peer's tunnel address; a peer whose choice differs is left out (and named in
    /// <see cref="OverlayEntries.Mismatched"/>): overlay traffic between them never goes in plain text.
    /// </para>
    public static OverlayEntries Desired(string ownUnderlayIp, string? ownAddress, IEnumerable<NetPeer> peers, bool encrypted = false)
    {
        var tunnel = new List<TunnelPeer>();
        var mismatched = new List<string>();
        var routes = new List<OverlayRoute>();
        var neighbours = new List<OverlayNeighbour>();
        var forwarding = new List<OverlayForwarding>();
        var subnets = new HashSet<uint>();
        var macs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var peer in peers.OrderBy(p => p.NodeId, StringComparer.Ordinal))
        {
            if (peer.Ip == ownUnderlayIp || !Ipv4.IsValid(peer.Ip) || !Ipv4Network.TryParse(peer.Subnet, out var subnet)
                || subnet.Prefix is < 8 or > 30 || !NetNames.IsUnicastMac(peer.VtepMac) || peer.OverlayPort is < 0 or > 65535
                || !macs.Add(peer.VtepMac.ToLowerInvariant()) || !subnets.Add(subnet.Address))
            {
                continue;
            }

            var destination = peer.Ip;
            if (encrypted != peer.WgPublicKey is { Length: > 0 })
            {
                mismatched.Add(peer.NodeId);
                continue;
            }

            if (encrypted)
            {
                if (TunnelAddresses.Of(peer.Subnet) is not { } tunnelAddress || peer.WgPort is <= 0 or > 65535)
                {
                    continue;
                }

                tunnel.Add(new TunnelPeer(peer.WgPublicKey!, peer.Ip, peer.WgPort, tunnelAddress));
                destination = tunnelAddress;
            }

            var gateway = FirstAddress(subnet);
            var mac = peer.VtepMac.ToLowerInvariant();
            routes.Add(new OverlayRoute(subnet.ToString(), gateway, null));
            neighbours.Add(new OverlayNeighbour(gateway, mac));
            forwarding.Add(new OverlayForwarding(mac, destination, peer.OverlayPort == 0 ? NetNames.DefaultOverlayPort : peer.OverlayPort));
        }

        if (Ipv4.IsValid(ownAddress))
        {
            routes.Add(new OverlayRoute(ServiceIpPool.Range, null, ownAddress));
        }

        return new OverlayEntries(routes, neighbours, forwarding, tunnel, mismatched);
    }

    /// <summary>The first host address of a subnet (the device's own address, and a peer's gateway).</summary>
    public static string FirstAddress(Ipv4Network subnet) => Ipv4.Format(subnet.Address + 1);

    /// <summary>
    /// What the device has now, from <c>ip -j route show dev</c>, <c>ip -j neigh show dev</c> and <c>bridge -j fdb show dev</c>.
    /// Only permanent neighbours and forwarding entries with a destination count (the kernel's own come and go); a forwarding
    /// entry without a port uses the device's.
    /// </summary>
    public static OverlayEntries ParseCurrent(string routesJson, string neighboursJson, string forwardingJson, int devicePort)
    {
        var routes = Items(routesJson).Select(r => new OverlayRoute(
            WithPrefix(Text(r, "dst") ?? ""), Text(r, "gateway"), Text(r, "prefsrc"))).ToList();
        var neighbours = Items(neighboursJson)
            .Where(n => n.TryGetProperty("state", out var state) && state.ValueKind == JsonValueKind.Array
                && state.EnumerateArray().Any(s => s.GetString() == "PERMANENT"))
            .Where(n => Text(n, "lladdr") is not null)
            .Select(n => new OverlayNeighbour(Text(n, "dst") ?? "", Text(n, "lladdr")!.ToLowerInvariant())).ToList();
        var forwarding = Items(forwardingJson)
            .Where(f => Text(f, "dst") is not null && Text(f, "mac") is not null)
            .Select(f => new OverlayForwarding(Text(f, "mac")!.ToLowerInvariant(), Text(f, "dst")!,
                f.TryGetProperty("port", out var port) && port.TryGetInt32(out var p) ? p : devicePort)).ToList();
        return new OverlayEntries(routes, neighbours, forwarding);
    }

    /// <summary>
    /// The <c>ip -batch</c> and <c>bridge -batch</c> scripts (empty when nothing differs): deletions of what is not desired first
    /// (a peer whose subnet moved must not keep two routes), then replaces of what is missing or different.
    /// </summary>
    public static (string Ip, string Bridge) Reconcile(string device, OverlayEntries desired, OverlayEntries current)
    {
        var ip = new StringBuilder();
        var bridge = new StringBuilder();
        var wantedRoutes = desired.Routes.Select(r => r.Destination).ToHashSet(StringComparer.Ordinal);
        foreach (var route in current.Routes.Where(r => !wantedRoutes.Contains(r.Destination)).DistinctBy(r => r.Destination))
        {
            ip.Append(CultureInfo.InvariantCulture, $"route del {route.Destination} dev {device}\n");
        }

        var wantedNeighbours = desired.Neighbours.Select(n => n.Address).ToHashSet(StringComparer.Ordinal);
        foreach (var neighbour in current.Neighbours.Where(n => !wantedNeighbours.Contains(n.Address)))
        {
            ip.Append(CultureInfo.InvariantCulture, $"neigh del {neighbour.Address} dev {device}\n");
        }

        var wantedMacs = desired.Forwarding.Select(f => f.Mac).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in current.Forwarding.Where(f => !wantedMacs.Contains(f.Mac)))
        {
            bridge.Append(CultureInfo.InvariantCulture, $"fdb del {entry.Mac} dev {device} dst {entry.Destination} self\n");
        }

        foreach (var route in desired.Routes.Except(current.Routes))
        {
            ip.Append(CultureInfo.InvariantCulture, $"route replace {route.Destination}")
                .Append(route.Gateway is null ? "" : $" via {route.Gateway}")
                .Append(CultureInfo.InvariantCulture, $" dev {device}")
                .Append(route.Gateway is null ? "" : " onlink")
                .Append(route.Source is null ? "" : $" src {route.Source}")
                .Append('\n');
        }

        foreach (var neighbour in desired.Neighbours.Except(current.Neighbours))
        {
            ip.Append(CultureInfo.InvariantCulture, $"neigh replace {neighbour.Address} lladdr {neighbour.Mac} dev {device} nud permanent\n");
        }

        foreach (var entry in desired.Forwarding)
        {
            var now = current.Forwarding.Where(f => f.Mac == entry.Mac).ToList();
            if (now.Count == 1 && now[0] == entry)
            {
                continue;
            }

            // A VXLAN MAC may have several destinations (fdb append); replace changes only one of them.
            if (now.Count > 1)
            {
                foreach (var stale in now.Where(f => f != entry))
                {
                    bridge.Append(CultureInfo.InvariantCulture, $"fdb del {stale.Mac} dev {device} dst {stale.Destination} self\n");
                }
            }

            bridge.Append(CultureInfo.InvariantCulture, $"fdb replace {entry.Mac} dev {device} dst {entry.Destination} port {entry.Port} self permanent\n");
        }

        return (ip.ToString(), bridge.ToString());
    }

    private static IEnumerable<JsonElement> Items(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Array
            ? document.RootElement.EnumerateArray().Select(e => e.Clone()).ToList()
            : [];
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary><c>ip -j</c> prints a host route without its <c>/32</c>.</summary>
    private static string WithPrefix(string destination) => destination.Contains('/') ? destination : destination + "/32";
}
