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

    /// <summary>
    /// With the cluster's own broker on Linux: the cluster watches the broker's node sockets in the kernel and closes one silent for
    /// 1.5 × the node's keep-alive + <see cref="KeepAliveGrace"/> (Mosquitto 2.0.11 checks only every 5 s), so its last will comes
    /// at once. Needs CAP_NET_ADMIN (root) and a kernel with CONFIG_INET_DIAG_DESTROY; without them the broker's own check remains.
    /// </summary>
    public bool WatchKeepAlives { get; set; } = true;

    /// <summary>How often the broker's sockets are looked at (one kernel dump for all of them).</summary>
    public TimeSpan KeepAliveCheckInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Silence tolerated beyond MQTT's 1.5 × keep-alive: the check's period and a busy node's late ping.</summary>
    public TimeSpan KeepAliveGrace { get; set; } = TimeSpan.FromMilliseconds(250);
}
