namespace Canopy.Contracts.Net;

/// <summary>
/// Everything one node's net manager must program, as a whole: the services its instances may call (their service IPs and
/// RUNNING instances) and the overlay peers that host those instances. The cluster publishes it retained on
/// <c>nodes/&lt;id&gt;/net/table</c> after every change that concerns the node; the node replaces its kernel state with it
/// (one nftables transaction, overlay entries reconciled), so no update depends on an earlier one having arrived.
/// </summary>
public sealed record NodeNetTable
{
    /// <summary>Increases with every table the cluster publishes (for logs and tests; the node applies whatever comes last).</summary>
    public long Version { get; init; }

    public IReadOnlyList<NetService> Services { get; init; } = [];

    /// <summary>Nodes whose subnets this node routes through the overlay (itself excluded).</summary>
    public IReadOnlyList<NetPeer> Peers { get; init; } = [];
}

/// <summary>A service as the data path sees it: its addresses, names and the instances that take its connections.</summary>
public sealed record NetService
{
    public required string ServiceId { get; init; }
    public string AppName { get; init; } = "";
    public string AppNs { get; init; } = "";
    public string ServiceName { get; init; } = "";
    public string ServiceNs { get; init; } = "";

    /// <summary><c>app.appns.service.servicens</c></summary>
    public string JobName { get; init; } = "";

    /// <summary>Round-robin service IP: each new connection goes to the next instance.</summary>
    public string? RrIp { get; init; }

    /// <summary>Closest service IP: connections go to the instance whose node has the lowest measured round-trip time.</summary>
    public string? ClosestIp { get; init; }

    /// <summary>The RUNNING instances with an address, in instance-number order.</summary>
    public IReadOnlyList<NetInstance> Instances { get; init; } = [];
}

/// <summary>Where connections to a service's IPs go for one instance.</summary>
public sealed record NetInstance
{
    public int InstanceNumber { get; init; }
    public required string NodeId { get; init; }

    /// <summary>A container's own IP (in its node's subnet); an exec instance's node IP.</summary>
    public required string Address { get; init; }

    /// <summary>
    /// Port translations (exec: the SLA's container port → the instance's host port). Empty: a connection keeps its port
    /// (containers listen on their own address).
    /// </summary>
    public IReadOnlyList<NetPort> Ports { get; init; } = [];
}

/// <param name="Protocol"><c>tcp</c> or <c>udp</c>.</param>
public sealed record NetPort(string Protocol, int ServicePort, int TargetPort);

/// <summary>A node as the overlay sees it: where to send the packets for its subnet.</summary>
public sealed record NetPeer
{
    public required string NodeId { get; init; }

    /// <summary>The node's own (underlay) address: the outer destination of VXLAN packets.</summary>
    public required string Ip { get; init; }

    /// <summary>The node's /26 in CIDR form.</summary>
    public required string Subnet { get; init; }

    /// <summary>The MAC of the node's VXLAN device (inner destination of the packets).</summary>
    public required string VtepMac { get; init; }

    /// <summary>The UDP port the node's VXLAN device listens on.</summary>
    public int OverlayPort { get; init; }

    public string? ClusterId { get; init; }

    /// <summary>
    /// The node's WireGuard public key when its cluster encrypts the overlay: its VXLAN packets then travel inside a WireGuard
    /// tunnel to <see cref="Ip"/>:<see cref="WgPort"/>. A node never exchanges overlay traffic with a peer whose choice differs.
    /// </summary>
    public string? WgPublicKey { get; init; }

    /// <summary>The UDP port of the node's WireGuard device (with <see cref="WgPublicKey"/>).</summary>
    public int WgPort { get; init; }
}

/// <summary>
/// A node's VXLAN endpoint, sent in its registration and its <c>information</c> reports; with an encrypted overlay also its
/// WireGuard public key and port.
/// </summary>
public sealed record NodeOverlay(string VtepMac, int Port, int Mtu, string? WgPublicKey = null, int WgPort = 0);
