using Canopy.Contracts.Mqtt;
using Canopy.Contracts.Net;
using Canopy.Contracts.Registration;

namespace Canopy.Cluster.Storage;

/// <summary>A registered worker: what it told at registration, its broker password, and what it last reported.</summary>
internal sealed record NodeRecord
{
    public required string Id { get; init; }
    public required string Host { get; init; }
    public string? Ip { get; init; }

    /// <summary>The registration request, join token and secret blanked.</summary>
    public required NodeRegisterRequest StaticInfo { get; init; }

    public required string MqttPassword { get; init; }

    /// <summary>SHA-256 of the node's own secret, which it must show to register as this node again; null for a node registered before secrets existed.</summary>
    public string? SecretHash { get; init; }

    /// <summary>The node's /26 for its instances (net manager).</summary>
    public string? Subnet { get; init; }

    public DateTimeOffset RegisteredAt { get; init; }
    public DateTimeOffset? LastSeen { get; init; }
    public bool Active { get; init; }

    /// <summary>The last <c>information</c> message (dynamic resources).</summary>
    public NodeInformation? Latest { get; init; }

    /// <summary>The node's VXLAN endpoint: as it last reported it (registration refreshes that too), null without an overlay.</summary>
    public NodeOverlay? Overlay => Latest is not null ? Latest.Overlay : StaticInfo.Overlay;

    /// <summary>The node's clock minus the cluster's, from its last heartbeat (stamped by the node, received at <see cref="LastSeen"/>).</summary>
    public TimeSpan? ClockSkew() => LastSeen is { } seen ? Contracts.ClockSkew.Estimate(Latest?.Timestamp, seen) : null;
}
