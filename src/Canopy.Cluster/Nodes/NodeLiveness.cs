using System.Collections.Concurrent;
using Canopy.Contracts.Mqtt;

namespace Canopy.Cluster.Nodes;

/// <summary>
/// When the cluster last heard from each node, stamped as its messages arrive, before they queue for the
/// <see cref="Instances.ClusterGate"/>: a cluster busy placing many instances must not take its nodes for dead because it
/// has not yet read their heartbeats.
/// </summary>
internal sealed class NodeLiveness(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _heard = new();

    /// <summary>A message on a node's topic. Its retained <c>status</c> (the broker may publish its last will there) proves nothing.</summary>
    public void Received(string topic)
    {
        if (NodeTopics.TryParse(topic, out var nodeId, out var rest) && rest != "status")
        {
            _heard[nodeId] = time.GetUtcNow();
        }
    }

    /// <summary>Its status says <c>online</c>: its MQTT connection is up (the will replaces a retained online when it drops).</summary>
    public void Online(string nodeId) => _heard[nodeId] = time.GetUtcNow();

    /// <summary>A node that left: nothing of it is kept.</summary>
    public void Forget(string nodeId) => _heard.TryRemove(nodeId, out _);

    public DateTimeOffset? LastHeard(string nodeId) => _heard.TryGetValue(nodeId, out var at) ? at : null;
}
