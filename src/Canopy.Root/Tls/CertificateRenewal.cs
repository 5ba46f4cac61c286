using Canopy.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Tls;

/// <summary>Says the root's CA pin at start and renews the API's certificate before it expires (see <see cref="ServerCertificate.Renew"/>).</summary>
internal sealed partial class CertificateRenewal(
    ServerCertificate certificate, RootOptions options, TimeProvider time, ILogger<CertificateRenewal> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        LogPin(logger, certificate.Authority.Pin, CertificateAuthority.CertificatePath(RootTls.PkiDirectory(options.DataDir)));
        if (options.Listen.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            LogInsecure(logger, options.Listen);
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.CertificateCheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    certificate.Renew();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
                {
                    LogRenewFailed(logger, certificate.Certificate.NotAfter.ToUniversalTime(), e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 1601, Level = LogLevel.Information,
        Message = "Root CA pin {Pin} (CA certificate {Path}): clients pin it with canopy login --ca-fingerprint; cluster join tokens carry it")]
    private static partial void LogPin(ILogger logger, string pin, string path);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Warning,
        Message = "The root API at {Listen} is plain HTTP (--insecure-http): passwords, tokens and workloads cross the wire unencrypted")]
    private static partial void LogInsecure(ILogger logger, string listen);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Error,
        Message = "Could not renew the root API's TLS certificate (valid until {NotAfter:u}): {Error}; retrying at the next check")]
    private static partial void LogRenewFailed(ILogger logger, DateTime notAfter, string error);
}
