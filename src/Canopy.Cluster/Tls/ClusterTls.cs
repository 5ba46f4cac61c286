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
