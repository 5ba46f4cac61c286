using System.Net;
using System.Net.Security;
using Canopy.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Hosting.Tls;

/// <summary>
/// The address a tier's API listens on and the rules for plain HTTP, the same for the root and a cluster: HTTPS by default;
/// <c>http://</c> only when the operator asked for it (<c>--insecure-http</c>), and on an address other machines reach only when
/// asked twice (<c>--insecure-http-on-network</c>): tokens and passwords would cross the network in the clear.
/// </summary>
public sealed record ApiListener(bool Https, string Host, int Port)
{
    /// <summary>Reads <paramref name="listen"/>, or says what is wrong with it and the flag that fixes it.</summary>
    /// <param name="section">The tier's configuration section ("Root", "Cluster"), named in the environment variables of the message.</param>
    public static ApiListener? TryParse(string listen, bool insecureHttp, bool insecureHttpOnNetwork, string section, out string? problem)
    {
        var example = $"https://127.0.0.1:{(section == "Root" ? 10000 : 10100)}";
        var scheme = listen.Split("://", 2)[0].ToLowerInvariant();
        // Uri refuses the wildcard hosts Kestrel knows ("*", "+"): they mean every address.
        var wildcard = listen.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (scheme is not ("http" or "https") || !listen.Contains("://", StringComparison.Ordinal) || !Uri.TryCreate(wildcard, UriKind.Absolute, out var uri))
        {
            problem = $"Listen: '{listen}' is not an http(s) URL such as {example}";
            return null;
        }

        if (uri.AbsolutePath.Trim('/').Length > 0)
        {
            problem = $"Listen: '{listen}' is not an http(s) URL such as {example} (no path)";
            return null;
        }

        var listener = new ApiListener(scheme == "https", uri.Host.Trim('[', ']'), uri.Port);
        problem = listener switch
        {
            { Https: true } => null,
            _ when !insecureHttp =>
                $"Listen: '{listen}' is plain HTTP, which sends passwords and tokens in the clear; use https://{uri.Authority} " +
                $"(the {section.ToLowerInvariant()} makes its own CA), or pass --insecure-http (CANOPY_{section}__InsecureHttp=true) " +
                "for clients that speak only HTTP, such as Oakestra's",
            { IsLoopback: false } when !insecureHttpOnNetwork =>
                $"Listen: '{listen}' serves plain HTTP on an address other machines reach; --insecure-http allows it on loopback only. " +
                $"Use https://, or listen on 127.0.0.1, or pass --insecure-http-on-network too (CANOPY_{section}__InsecureHttpOnNetwork=true) " +
                "if this network is trusted",
            _ => null,
        };
        return problem is null ? listener : null;
    }

    public bool IsLoopback => IsLoopbackHost(Host);

    /// <summary>The address as a URL again, an IPv6 host in brackets.</summary>
    public string Url => $"{(Https ? "https" : "http")}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";

    /// <summary>Whether <paramref name="host"/> (of a URL) names this machine's loopback only.</summary>
    public static bool IsLoopbackHost(string host) =>
        host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>
    /// Binds Kestrel. HTTPS asks <paramref name="certificate"/> for its context at every handshake, so a renewal reaches new
    /// connections and leaves open ones (cluster links, nodes) alone. HTTP/1.1 only: the APIs and the cluster link (a WebSocket)
    /// need nothing else, and ALPN is the callback's to set.
    /// </summary>
    public void Bind(WebApplicationBuilder builder, Func<IServiceProvider, ServerCertificate> certificate)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var server = Https ? certificate(kestrel.ApplicationServices) : null;
            void Endpoint(ListenOptions listen)
            {
                listen.Protocols = HttpProtocols.Http1;
                if (server is not null)
                {
                    listen.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
                        {
                            ServerCertificateContext = server.Context,
                            ApplicationProtocols = [SslApplicationProtocol.Http11],
                        }),
                    });
                }
            }

            switch (Host)
            {
                case "localhost":
                    kestrel.ListenLocalhost(Port, Endpoint);
                    break;
                case var any when IPAddress.TryParse(any, out var a) && (a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any)):
                    kestrel.ListenAnyIP(Port, Endpoint);
                    break;
                default:
                    var address = IPAddress.TryParse(Host, out var parsed) ? parsed : Dns.GetHostAddresses(Host)[0];
                    kestrel.Listen(address, Port, Endpoint);
                    break;
            }
        });
    }
}
