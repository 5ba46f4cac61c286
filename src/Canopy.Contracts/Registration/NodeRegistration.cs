using System.Text.Json;
using System.Text.Json.Serialization;

namespace Canopy.Contracts.Registration;

/// <summary><c>POST /api/node/register</c> at the cluster: the node's static information.</summary>
public sealed record NodeRegisterRequest
{
    public required string JoinToken { get; init; }

    /// <summary>The id the node had before; re-registration keeps it.</summary>
    public string? Id { get; init; }

    /// <summary>
    /// The node's own secret, generated once and kept (mode 0600) in its data dir. The cluster stores only its hash: a
    /// registration that names an existing <see cref="Id"/> must bring it, a join token alone never takes over a node.
    /// </summary>
    public string? Secret { get; init; }

    /// <summary>Host name; the name <c>direct</c> constraints use.</summary>
    public required string Host { get; init; }

    public string? Ip { get; init; }
    public double Vcpus { get; init; }
    public long MemoryTotal { get; init; }
    public string Architecture { get; init; } = "";
    public IReadOnlyList<string> Virtualization { get; init; } = [];
    public string? Location { get; init; }
    public Dictionary<string, string>? SystemInfo { get; init; }

    /// <summary>
    /// IPv4 networks routed on the node's machine that are not its own (other Canopy nodes' bridges, other interfaces), in
    /// CIDR form: the cluster gives the node a subnet that overlaps none of them (Canopy addition).
    /// </summary>
    public IReadOnlyList<string>? SubnetsInUse { get; init; }

    /// <summary>The node's VXLAN endpoint (Canopy addition); null from a node without an overlay.</summary>
    public Net.NodeOverlay? Overlay { get; init; }

    /// <summary>Non-canonical resources and labels configured on the node.</summary>
    // A setter, not init: source-generated metadata cannot bind extension data through the constructor.
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>The node's broker account; <paramref name="Tls"/>: the broker speaks only TLS, with the certificate of the cluster's CA (the one the node's join token pins).</summary>
public sealed record MqttCredentials(string Host, int Port, string Username, string Password, bool Tls = false);

/// <summary>
/// The node's id, its broker account, the /26 of 10.18.0.0/16 its containers take addresses from, and whether its cluster
/// carries the overlay through WireGuard (Canopy addition).
/// </summary>
public sealed record NodeRegisterResponse(string Id, MqttCredentials Mqtt, string? Subnet = null, bool OverlayEncryption = false);

/// <summary><c>POST /api/node/leave</c> at the cluster (<c>canopy node --leave</c>): the node proves it is itself with its own secret.</summary>
public sealed record NodeLeaveRequest(string Id, string Secret);
