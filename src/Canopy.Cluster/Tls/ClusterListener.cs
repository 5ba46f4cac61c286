using System.Net;
using System.Net.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Cluster.Tls;

/// <summary>
/// Kestrel on <see cref="ClusterOptions.Listen"/>: HTTPS with the cluster's server certificate, asked for at every handshake so that a
/// renewal reaches new connections without a restart; plain HTTP only where <see cref="ClusterOptions.Validate"/> allowed it.
/// </summary>
internal static class ClusterListener
{
    public static void Configure(WebApplicationBuilder builder, ClusterOptions options)
    {
        var url = new Uri(options.Listen);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var tls = kestrel.ApplicationServices.GetRequiredService<ClusterTls>();
            void Endpoint(ListenOptions listen)
            {
                if (url.Scheme == Uri.UriSchemeHttps)
                {
                    listen.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
                        {
                            ServerCertificateContext = tls.Server.Context,
                        }),
                    });
                }
            }

            switch (url.Host)
            {
                case "localhost":
                    kestrel.ListenLocalhost(url.Port, Endpoint);
                    break;
                case "*" or "+" or "0.0.0.0" or "[::]":
                    kestrel.ListenAnyIP(url.Port, Endpoint);
                    break;
                default:
                    var address = IPAddress.TryParse(url.Host.Trim('[', ']'), out var parsed) ? parsed : Dns.GetHostAddresses(url.DnsSafeHost)[0];
                    kestrel.Listen(address, url.Port, Endpoint);
                    break;
            }
        });
    }

    /// <summary>Whether <paramref name="host"/> (of a URL) names this machine's loopback only.</summary>
    public static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
