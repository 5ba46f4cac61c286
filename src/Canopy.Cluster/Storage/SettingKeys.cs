namespace Canopy.Cluster.Storage;

internal static class SettingKeys
{
    public const string ClusterId = "cluster_id";
    public const string RootCredential = "root_credential";

    /// <summary>The root's public key for user tokens (<see cref="Contracts.Registration.UserTokenKey"/> JSON), from the last registration.</summary>
    public const string RootUserTokenKey = "root_user_token_key";

    /// <summary>The cluster's own secret, which proves to the root that it is this cluster when it registers again.</summary>
    public const string ClusterSecret = "cluster_secret";

    /// <summary>The password of the broker user <c>canopy-cluster</c>.</summary>
    public const string MqttClusterPassword = "mqtt_cluster_password";

    /// <summary>The root's last <see cref="Contracts.Link.RootNetTable"/> (JSON): a restarted cluster publishes complete node tables from it at once.</summary>
    public const string RootNetTable = "root_net_table";

    /// <summary>The root replicas' URLs its last registration answer named (one a line): a restarted cluster knows them before it registers.</summary>
    public const string RootReplicaUrls = "root_replica_urls";
}
