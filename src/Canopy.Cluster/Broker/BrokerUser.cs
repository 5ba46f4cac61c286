namespace Canopy.Cluster.Broker;

/// <summary>A broker account: the cluster's own (<see cref="ClusterUserName"/>) or a node's (user name = node id).</summary>
internal sealed record BrokerUser(string Username, string Password)
{
    public const string ClusterUserName = "canopy-cluster";
}
