using System.Net;
using System.Net.Security;
using Canopy.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Tls;

/// <summary>
/// The root's own CA (in <c>&lt;data dir&gt;/pki/</c>, created at the first start) and the server certificate it signs for the
/// API. Kestrel asks for the certificate at every handshake, so a renewal applies to new connections and leaves open ones
/// (cluster links) alone.
/// </summary>
internal static class RootTls
{
    public static string PkiDirectory(string dataDir) => Path.Combine(dataDir, "pki");

    /// <summary>Loads or creates the CA and registers it, the server certificate and its renewal.</summary>
    public static CertificateAuthority AddRootTls(this WebApplicationBuilder builder, RootOptions options, RootListener listener)
    {
        var pki = PkiDirectory(options.DataDir);
        var ca = CertificateAuthority.LoadOrCreate(pki, "Canopy root");
        builder.Services.AddSingleton(ca);
        builder.Services.AddSingleton(sp => new ServerCertificate(
            ca, pki, "canopy-root", [listener.Host, .. options.CertificateNames], options.CertificateLifetime,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Canopy.Root.Tls")));
        builder.Services.AddHostedService<CertificateRenewal>();

        if (listener.Https)
        {
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                var certificate = kestrel.ApplicationServices.GetRequiredService<ServerCertificate>();
                var tls = new TlsHandshakeCallbackOptions
                {
                    OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
                    {
                        ServerCertificateContext = certificate.Context,
                        ApplicationProtocols = [SslApplicationProtocol.Http11],
                    }),
                };
                // HTTP/1.1 only: the API and the cluster link (a WebSocket) need nothing else, and ALPN is the callback's to set.
                void Https(ListenOptions listen)
                {
                    listen.Protocols = HttpProtocols.Http1;
                    listen.UseHttps(tls);
                }

                switch (listener.Address)
                {
                    case null when listener.Host == "localhost":
                        kestrel.ListenLocalhost(listener.Port, Https);
                        break;
                    case null:
                        kestrel.ListenAnyIP(listener.Port, Https);
                        break;
                    case var address when address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any):
                        kestrel.ListenAnyIP(listener.Port, Https);
                        break;
                    case var address:
                        kestrel.Listen(address, listener.Port, Https);
                        break;
                }
            });
        }
        else
        {
            builder.WebHost.UseUrls(options.Listen);
        }

        return ca;
    }
}
