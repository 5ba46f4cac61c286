using Canopy.Contracts;
using Canopy.Contracts.Mqtt;

namespace Canopy.Cluster.Storage;

/// <summary>The cluster's durable state: nodes, the service specs the root sent, instances, and a few settings.</summary>
internal interface IClusterStore
{
    Task<NodeRecord?> GetNodeAsync(string id, CancellationToken ct);

    /// <summary>The node whose secret hashes to <paramref name="secretHash"/>.</summary>
    Task<NodeRecord?> FindNodeBySecretAsync(string secretHash, CancellationToken ct);

    Task<IReadOnlyList<NodeRecord>> ListNodesAsync(CancellationToken ct);

    /// <summary>Inserts or replaces the whole record.</summary>
    Task SaveNodeAsync(NodeRecord node, CancellationToken ct);

    /// <summary>
    /// Adds a new node and counts one use of the created join token it came with (<paramref name="joinTokenId"/>; null for the static
    /// token), in one transaction. False when that token has no use left (nothing is written then).
    /// </summary>
    Task<bool> AddNodeAsync(NodeRecord node, string? joinTokenId, CancellationToken ct);

    /// <summary>Records a heartbeat: latest information, last seen, active.</summary>
    Task SaveNodeInformationAsync(string id, NodeInformation information, DateTimeOffset seen, CancellationToken ct);

    /// <summary>
    /// Routine heartbeats of many nodes in one transaction: latest information and last seen of each that is still active (one a
    /// failure was noticed for meanwhile stays inactive until its next information is saved on its own).
    /// </summary>
    Task SaveNodeInformationBatchAsync(IReadOnlyCollection<(string Id, NodeInformation Information, DateTimeOffset Seen)> heartbeats, CancellationToken ct);

    /// <summary>The ids of the active nodes only: what the failure detector checks several times a second, without their documents.</summary>
    Task<IReadOnlyList<string>> ListActiveNodeIdsAsync(CancellationToken ct);

    Task SetNodeActiveAsync(string id, bool active, CancellationToken ct);

    /// <summary>Forgets a node that left the cluster.</summary>
    Task DeleteNodeAsync(string id, CancellationToken ct);

    Task SaveServiceAsync(ServiceSpec spec, CancellationToken ct);

    Task<ServiceSpec?> GetServiceAsync(string serviceId, CancellationToken ct);

    Task<IReadOnlyList<ServiceSpec>> ListServicesAsync(CancellationToken ct);

    Task DeleteServiceAsync(string serviceId, CancellationToken ct);

    Task<InstanceRecord?> GetInstanceAsync(string serviceId, int instanceNumber, CancellationToken ct);

    Task<IReadOnlyList<InstanceRecord>> ListInstancesAsync(CancellationToken ct);

    Task<IReadOnlyList<InstanceRecord>> ListInstancesOfServiceAsync(string serviceId, CancellationToken ct);

    Task<IReadOnlyList<InstanceRecord>> ListInstancesOnNodeAsync(string nodeId, CancellationToken ct);

    /// <summary>Inserts or replaces the whole record.</summary>
    Task SaveInstanceAsync(InstanceRecord instance, CancellationToken ct);

    /// <summary>Several instances in one transaction: all saved or none (a batch of placements is one commit).</summary>
    Task SaveInstancesAsync(IReadOnlyList<InstanceRecord> instances, CancellationToken ct);

    Task DeleteInstanceAsync(string serviceId, int instanceNumber, CancellationToken ct);

    /// <summary>The node subnet blocks the root gave this cluster (CIDR), in the root's order; empty when it gave none (yet).</summary>
    Task<IReadOnlyList<string>> ListSubnetBlocksAsync(CancellationToken ct);

    /// <summary>Replaces the blocks with <paramref name="blocks"/> (the root always sends all of them).</summary>
    Task SetSubnetBlocksAsync(IReadOnlyList<string> blocks, CancellationToken ct);

    Task<string?> GetSettingAsync(string key, CancellationToken ct);

    Task SetSettingAsync(string key, string value, CancellationToken ct);

    Task AddNodeTokenAsync(NodeTokenRecord token, CancellationToken ct);

    /// <summary>The node join token whose secret hashes to <paramref name="secretHash"/>, revoked and expired ones too.</summary>
    Task<NodeTokenRecord?> FindNodeTokenAsync(string secretHash, CancellationToken ct);

    Task<IReadOnlyList<NodeTokenRecord>> ListNodeTokensAsync(CancellationToken ct);

    /// <summary>Marks the token revoked (again is fine); null when there is no such token.</summary>
    Task<NodeTokenRecord?> RevokeNodeTokenAsync(string id, CancellationToken ct);
}
