using System.Diagnostics;
using System.Net;
using System.Net.Security;
using Canopy.Security;
using Canopy.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Canopy.Benchmarks;

/// <summary>
/// From the moment a renewal is due (the renewal service's tick calls <see cref="ServerCertificate.Renew"/>) until a new connection
/// is served the new certificate: Kestrel configured as the root's and the cluster's API (it asks for the certificate context per
/// handshake), and Mosquitto configured as the cluster's broker (re-reads its files on SIGHUP, sent from the Renewed event).
/// </summary>
internal static class CertificateRotation
{
    public sealed record Times(List<double> Renew, List<double> Kestrel, List<double> Mosquitto);

    public static async Task<Times> MeasureAsync(BenchBroker broker, int runs)
    {
        var server = broker.Server;
        server.Renewed += _ => Signals.Kill(broker.Pid, 1); // SIGHUP, as the cluster's CertificateRenewal does
        var port = FreePort.Next();
        await using var kestrel = await StartKestrelAsync(server, port);
        var times = new Times([], [], []);
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            server.Renew(force: true);
            times.Renew.Add(clock.Elapsed.TotalMilliseconds);
            var thumbprint = server.Certificate.Thumbprint;
            await Wait.ForAsync(() => Handshakes.CertificateAsync(port), c => c.Thumbprint == thumbprint, TimeSpan.FromSeconds(10),
                "Kestrel to serve the renewed certificate", poll: TimeSpan.FromMilliseconds(1));
            times.Kestrel.Add(clock.Elapsed.TotalMilliseconds);

            clock.Restart();
            server.Renew(force: true);
            thumbprint = server.Certificate.Thumbprint;
            await Wait.ForAsync(broker.HandshakeAsync, c => c.Thumbprint == thumbprint, TimeSpan.FromSeconds(10),
                "Mosquitto to serve the renewed certificate", poll: TimeSpan.FromMilliseconds(1));
            times.Mosquitto.Add(clock.Elapsed.TotalMilliseconds);
        }

        return times;
    }

    /// <summary>Kestrel with the TLS callback of the root's listener (src/Canopy.Root/Tls/RootTls.cs): the context read per handshake.</summary>
    private static async Task<WebApplication> StartKestrelAsync(ServerCertificate server, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = server.Context,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                }),
            });
        }));
        var app = builder.Build();
        await app.StartAsync();
        return app;
    }
}
