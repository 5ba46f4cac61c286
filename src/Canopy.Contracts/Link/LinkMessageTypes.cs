namespace Canopy.Contracts.Link;

public static class LinkMessageTypes
{
    // root → cluster
    /// <summary><see cref="DeployInstance"/></summary>
    public const string Deploy = "deploy";

    /// <summary><see cref="UndeployInstance"/></summary>
    public const string Undeploy = "undeploy";

    /// <summary><see cref="LinkRequest"/>: a question the root forwards for a user (node list, logs).</summary>
    public const string Request = "request";

    /// <summary><see cref="RootNetTable"/>: after every hello and on change, the other clusters' part of this cluster's service tables.</summary>
    public const string NetTable = "net_table";

    /// <summary><see cref="SubnetBlocks"/>: after every hello and when a block was added, every node subnet block of the cluster.</summary>
    public const string SubnetBlocks = "subnet_blocks";

    // cluster → root
    /// <summary><see cref="ClusterHello"/>, after every (re)connect: everything the cluster runs, so the root reconciles.</summary>
    public const string Hello = "hello";

    /// <summary><see cref="ClusterResources"/>, on change and at least every 5 s.</summary>
    public const string Resources = "resources";

    /// <summary><see cref="InstanceReport"/>, every status change at once.</summary>
    public const string InstanceStatus = "instance_status";

    /// <summary><see cref="InstanceMetrics"/>: the running instances whose figures changed (looked at every 2 s); all of them every 5 min.</summary>
    public const string InstanceMetrics = "instance_metrics";

    /// <summary><see cref="ClusterNetNodes"/>: after every hello and on change, the overlay endpoints of the cluster's active nodes.</summary>
    public const string NetNodes = "net_nodes";

    /// <summary><see cref="NodeLivenessChange"/>: a node became active or inactive. A root from before it ignores it (an unknown type).</summary>
    public const string NodeStatus = "node_status";

    /// <summary><see cref="SubnetBlocksRequest"/>: the cluster's blocks are full; the root answers with <see cref="SubnetBlocks"/>.</summary>
    public const string SubnetBlocksRequest = "subnet_blocks_request";

    /// <summary><see cref="LinkResponse"/> to a <see cref="Request"/>.</summary>
    public const string Response = "response";
}
