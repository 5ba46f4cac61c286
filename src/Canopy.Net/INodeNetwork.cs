using Canopy.Contracts.Net;

namespace Canopy.Net;

/// <summary>What the node engine asks of its net manager.</summary>
public interface INodeNetwork : IAsyncDisposable
{
    /// <summary>
    /// Creates (or adopts, after a node-engine restart) the node's VXLAN device <c>cnv&lt;key&gt;</c> and nftables table
    /// <c>canopy_&lt;key&gt;</c>, without touching what they hold: the rules of the last table stay until the next one arrives.
    /// Returns the endpoint to register with. Throws <see cref="NodeNetworkUnavailableException"/> (with the reason a user
    /// can act on) when the kernel or a tool is missing.
    /// </summary>
    Task<NodeOverlay> PrepareAsync(NodeNetSettings settings, CancellationToken ct);

    /// <summary>
    /// After each registration, as the cluster says: <paramref name="encryption"/> set carries the overlay through a WireGuard
    /// device (created or adopted, key kept in its file), null takes that device away. Returns the endpoint to report from now on
    /// (with the public key and WireGuard port when encrypted, and the MTU left inside both tunnels).
    /// </summary>
    Task<NodeOverlay> SetEncryptionAsync(OverlayEncryption? encryption, CancellationToken ct);

    /// <summary>
    /// Tells the net manager who the node is after each registration: its id (its own instances are the closest, RTT 0) and its
    /// /26, whose first address the VXLAN device takes (/32).
    /// </summary>
    Task SetIdentityAsync(string nodeId, string subnet, CancellationToken ct);

    /// <summary>Replaces the kernel state with <paramref name="table"/>: one nftables transaction, overlay entries reconciled.</summary>
    Task ApplyAsync(NodeNetTable table, CancellationToken ct);

    /// <summary>The last table applied (null before the first).</summary>
    NodeNetTable? Current { get; }

    /// <summary>Round-trip times in milliseconds to the current table's peers, by node id (probed periodically).</summary>
    IReadOnlyDictionary<string, double> Latency { get; }

    /// <summary>Removes the device, its routes and the nftables table (the node leaves).</summary>
    Task RemoveAsync(CancellationToken ct);
}

/// <param name="Key">The node's 8-hex key (the one in its bridge's name <c>cnp&lt;key&gt;</c>).</param>
/// <param name="UnderlayIp">The node's own address, the outer source of its VXLAN packets.</param>
/// <param name="OverlayPort">UDP port of the VXLAN device; 0 = the first of 4789.. not used by another device in this network namespace.</param>
public sealed record NodeNetSettings(string Key, string UnderlayIp, int OverlayPort = 0)
{
    /// <summary>
    /// A network namespace (a path like <c>/run/netns/x</c>) to work in instead of this process's: every <c>ip</c>/<c>bridge</c>/
    /// <c>nft</c> runs through <c>nsenter --net=</c>, and the round-trip probe's thread enters it (setns). For tests and labs.
    /// </summary>
    public string? NetNamespace { get; init; }
}

public sealed class NodeNetworkUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
