using Canopy.Mqtt;
using Canopy.Security;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Tls;

/// <summary>
/// The cluster's own CA (<c>&lt;DataDir&gt;/pki/ca.crt</c>, <c>ca.key</c> 0600, made at the first start) and the server certificate
/// it signs for the cluster's API and its Mosquitto (<c>server.crt</c> = leaf then CA, <c>server.key</c>). Nodes trust exactly this
/// CA: its pin rides in their join tokens.
/// </summary>
public sealed class ClusterTls
{
    public ClusterTls(ClusterOptions options, ILoggerFactory? loggers = null)
    {
        Directory = PkiDirectory(options.DataDir);
        Authority = CertificateAuthority.LoadOrCreate(Directory, "Canopy cluster " + options.Name);
        Server = new ServerCertificate(
            Authority, Directory, "Canopy cluster " + options.Name, ExtraNames(options), options.CertificateLifetime,
            logger: loggers?.CreateLogger<ServerCertificate>());
    }

    public string Directory { get; }

    public CertificateAuthority Authority { get; }

    /// <summary>The certificate of the API and of the broker's TLS listener; renewed by Canopy.Hosting.Tls.CertificateRenewal.</summary>
    public ServerCertificate Server { get; }

    /// <summary><c>sha256:…</c> of the CA: what node join tokens carry after their secret.</summary>
    public string Pin => Authority.Pin;

    public static string PkiDirectory(string dataDir) => Path.Combine(dataDir, "pki");

    /// <summary>
    /// What a cluster restarted on another machine must bring from its old data dir (<see cref="ClusterOptions.ReplicaOf"/>): the CA
    /// its nodes pin, the key of the secrets in its stored specs, and its API's admin token. Its store (PostgreSQL) holds the rest.
    /// </summary>
    public static IReadOnlyList<string> SharedFiles { get; } = ["pki/ca.crt", "pki/ca.key", "secrets.key", "admin-token"];

    /// <summary>Takes the <see cref="SharedFiles"/> from <see cref="ClusterOptions.ReplicaOf"/> into a new data dir; returns those copied.</summary>
    public static IReadOnlyList<string> AdoptMovedKeys(ClusterOptions options) =>
        options.ReplicaOf is { Length: > 0 } source
            ? SharedKeyMaterial.Adopt(Path.GetFullPath(source), options.DataDir, SharedFiles, "--replica-of")
            : [];

    /// <summary>TLS for the cluster's own clients of its broker: its certificate must come from this CA. Null when the broker speaks plain MQTT.</summary>
    public MqttTlsOptions? BrokerClientTls(MqttBrokerOptions broker) =>
        broker.Tls ? new MqttTlsOptions { RemoteCertificateValidationCallback = new PinnedCa(Pin).Callback } : null;

    private static IEnumerable<string> ExtraNames(ClusterOptions options)
    {
        if (Uri.TryCreate(options.Listen, UriKind.Absolute, out var listen))
        {
            yield return listen.Host.Trim('[', ']');
        }

        yield return options.Mqtt.ListenHost;
        yield return options.Mqtt.AdvertisedHost;
    }
}
