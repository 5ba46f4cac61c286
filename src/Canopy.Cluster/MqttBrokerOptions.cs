namespace Canopy.Cluster;

/// <summary>The cluster's MQTT broker: a Mosquitto child process it configures itself, or an external one.</summary>
public sealed class MqttBrokerOptions
{
    /// <summary>Run Mosquitto as a child process (with per-node users and ACL); false = use a broker already at <see cref="ListenHost"/>:<see cref="Port"/>.</summary>
    public bool StartBroker { get; set; } = true;

    public string MosquittoPath { get; set; } = "mosquitto";

    /// <summary>Address the broker listens on (and the cluster connects to).</summary>
    public string ListenHost { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 10003;

    /// <summary>
    /// TLS on the broker's listener with the cluster's server certificate (no plain listener), and TLS for every client the cluster
    /// makes. An external broker with TLS must use <c>&lt;DataDir&gt;/pki/server.crt</c> and <c>server.key</c> (and reload them on
    /// renewal); false is for an external broker without TLS.
    /// </summary>
    public bool Tls { get; set; } = true;

    /// <summary>The broker address nodes are told at registration.</summary>
    public string AdvertisedHost { get; set; } = "127.0.0.1";
}
