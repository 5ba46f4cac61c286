using System.Text.Json;
using System.Text.Json.Nodes;

namespace Canopy.Contracts.Link;

public sealed record DeployInstance(ServiceSpec Service, int InstanceNumber);

/// <summary><see cref="InstanceNumber"/> −1 = every instance of the service.</summary>
public sealed record UndeployInstance(string ServiceId, int InstanceNumber);

/// <param name="Timestamp">The cluster's clock when it sent the hello (the root estimates the cluster's clock skew from it).</param>
public sealed record ClusterHello(string ClusterId, IReadOnlyList<InstanceReport> Instances, DateTimeOffset? Timestamp = null);

/// <summary>The cluster's aggregate of its active workers (keys from <c>Canopy.Core.Resources.ResourceKeys</c> plus non-canonical ones).</summary>
/// <param name="Timestamp">The cluster's clock when it sent them.</param>
public sealed record ClusterResources(JsonObject Resources, DateTimeOffset? Timestamp = null);

public sealed record InstanceMetrics(IReadOnlyList<InstanceReport> Instances);

/// <summary>
/// The overlay endpoints of the cluster's active nodes that have one (<see cref="Net.NetPeer"/> with the cluster's id): the
/// root passes them to the clusters whose nodes talk to them.
/// </summary>
public sealed record ClusterNetNodes(IReadOnlyList<Net.NetPeer> Nodes);

/// <summary>
/// root → cluster: the services of every application with an instance on this cluster, with their service IPs and only the
/// instances that run on other clusters, and those instances' nodes. The cluster adds its own instances and nodes.
/// </summary>
public sealed record RootNetTable(IReadOnlyList<Net.NetService> Services, IReadOnlyList<Net.NetPeer> Peers);

/// <summary>
/// cluster → root: a worker node became active (<paramref name="Active"/>) or inactive, and why; the root keeps it in its event stream.
/// A change while the link is down is not sent later (the hello carries instances, not this history).
/// </summary>
/// <param name="Timestamp">The cluster's clock when it saw the change.</param>
public sealed record NodeLivenessChange(string NodeId, string NodeName, bool Active, string Reason, DateTimeOffset? Timestamp = null);

/// <summary>cluster → root: every node subnet block is taken; give one more.</summary>
public sealed record SubnetBlocksRequest(int Taken);

/// <summary>root → cluster: every block the cluster has (CIDR), oldest first.</summary>
public sealed record SubnetBlocks(IReadOnlyList<string> Blocks);

/// <summary>Kinds: <see cref="LinkRequestKinds"/>.</summary>
public sealed record LinkRequest(string RequestId, string Kind, JsonObject? Args);

public sealed record LinkResponse(string RequestId, bool Ok, JsonElement? Body, string? Error = null);

public static class LinkRequestKinds
{
    /// <summary>→ <c>NodeDocument[]</c></summary>
    public const string Nodes = "nodes";

    /// <summary>args <c>{service_id, instance_number, tail}</c> → <c>{text}</c></summary>
    public const string Logs = "logs";

    /// <summary>args <c>{description?, ttl_seconds?, created_by?}</c> → <c>CreatedJoinTokenDocument</c></summary>
    public const string NodeTokensCreate = "node_tokens.create";

    /// <summary>→ <c>JoinTokenDocument[]</c></summary>
    public const string NodeTokensList = "node_tokens.list";

    /// <summary>args <c>{id}</c> → <c>JoinTokenDocument</c> (error when there is no such token)</summary>
    public const string NodeTokensRevoke = "node_tokens.revoke";
}
