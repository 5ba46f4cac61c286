using Canopy.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Hosting.Tls;

/// <summary>
/// A tier's TLS at run time: says its CA pin (and a plain-HTTP listener) at start, and renews the server certificate when two
/// thirds of its lifetime are over (<see cref="ServerCertificate.Renew"/>), checked at every interval. Whoever serves
/// the certificate from files (the cluster's Mosquitto) listens to <see cref="ServerCertificate.Renewed"/>.
/// </summary>
public sealed partial class CertificateRenewal(
    ServerCertificate certificate, ApiListener listener, string tier, string pinUse, TimeSpan interval, TimeProvider time, ILogger<CertificateRenewal> logger)
    : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        LogPin(logger, tier, certificate.Authority.Pin, pinUse, certificate.Certificate.NotAfter.ToUniversalTime(), certificate.RenewAt.UtcDateTime);
        if (!listener.Https)
        {
            LogInsecure(logger, tier, listener.Url);
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
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
                    // The current certificate stays in use; the next tick tries again.
                    LogRenewFailed(logger, tier, certificate.Certificate.NotAfter.ToUniversalTime(), e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 1601, Level = LogLevel.Information,
        Message = "The {Tier}'s CA pin is {Pin}: {PinUse}. Its server certificate is valid until {NotAfter:u} and is renewed from {RenewAt:u}")]
    private static partial void LogPin(ILogger logger, string tier, string pin, string pinUse, DateTime notAfter, DateTime renewAt);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Warning,
        Message = "The {Tier} API at {Listen} is plain HTTP (--insecure-http): passwords, tokens and workloads cross the wire unencrypted")]
    private static partial void LogInsecure(ILogger logger, string tier, string listen);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Error,
        Message = "Could not renew the {Tier} API's TLS certificate (valid until {NotAfter:u}): {Error}; retrying at the next check")]
    private static partial void LogRenewFailed(ILogger logger, string tier, DateTime notAfter, string error);
}

public static class CertificateRenewalExtensions
{
    /// <summary>Registers the renewal of the server certificate <paramref name="certificate"/> gives.</summary>
    /// <param name="pinUse">Who uses the CA's pin, for the start-up line (e.g. "node join tokens carry it").</param>
    public static IServiceCollection AddCertificateRenewal(
        this IServiceCollection services, Func<IServiceProvider, ServerCertificate> certificate, ApiListener listener, string tier, string pinUse, TimeSpan interval) =>
        services.AddHostedService(sp => new CertificateRenewal(
            certificate(sp), listener, tier, pinUse, interval, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CertificateRenewal>>()));
}
