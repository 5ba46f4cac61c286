namespace Canopy.Cluster.Storage;

internal static class SettingKeys
{
    public const string ClusterId = "cluster_id";
    public const string RootCredential = "root_credential";

    /// <summary>The password of the broker user <c>canopy-cluster</c>.</summary>
    public const string MqttClusterPassword = "mqtt_cluster_password";
}
