using Canopy.Cluster.Broker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Tls;

/// <summary>
/// Renews the server certificate when two thirds of its lifetime are over, checked every
/// <see cref="ClusterOptions.CertificateCheckInterval"/>. Kestrel reads <see cref="Canopy.Security.ServerCertificate.Context"/> per
/// handshake; Mosquitto re-reads its certfile and keyfile on SIGHUP (mosquitto.conf(5), tested with 2.0.11). Open connections, and
/// so the nodes and their instances, are untouched.
/// </summary>
internal sealed partial class CertificateRenewal : BackgroundService
{
    private readonly ClusterTls _tls;
    private readonly MosquittoProcess _broker;
    private readonly ClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CertificateRenewal> _logger;

    public CertificateRenewal(ClusterTls tls, MosquittoProcess broker, ClusterOptions options, TimeProvider time, ILogger<CertificateRenewal> logger)
    {
        _tls = tls;
        _broker = broker;
        _options = options;
        _time = time;
        _logger = logger;
        _tls.Server.Renewed += _ => ReloadBroker();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Log.Ready(_logger, _tls.Pin, _tls.Server.Certificate.NotAfter.ToUniversalTime(), _tls.Server.RenewAt.UtcDateTime);
        using var timer = new PeriodicTimer(_options.CertificateCheckInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                _tls.Server.Renew();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                // The current certificate stays in use; the next tick tries again.
                Log.Failed(_logger, e);
            }
        }
    }

    private void ReloadBroker()
    {
        if (_options.Mqtt.StartBroker && _options.Mqtt.Tls)
        {
            _broker.Reload();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.TlsReady, Level = LogLevel.Information,
            Message = "Cluster CA {Pin}: node join tokens carry it; the server certificate is valid until {NotAfter:u} and is renewed from {RenewAt:u}")]
        public static partial void Ready(ILogger logger, string pin, DateTime notAfter, DateTime renewAt);

        [LoggerMessage(EventId = EventIds.TlsRenewalFailed, Level = LogLevel.Error, Message = "Renewing the cluster's server certificate failed; retrying at the next check")]
        public static partial void Failed(ILogger logger, Exception error);
    }
}
