using System.Net;

namespace Canopy.Root.Tls;

/// <summary>
/// The address of the root's API (<see cref="RootOptions.Listen"/>) and the rules for plain HTTP: HTTPS by default; <c>http://</c>
/// only when the operator asked for it (<see cref="RootOptions.InsecureHttp"/>), and on an address other machines reach only
/// when asked twice (<see cref="RootOptions.InsecureHttpOnNetwork"/>): tokens and passwords would cross the network in the clear.
/// </summary>
internal sealed record RootListener(bool Https, string Host, int Port)
{
    /// <summary>Reads <paramref name="listen"/>; the error names what is wrong and the flag that fixes it.</summary>
    public static RootListener Parse(string listen, bool insecureHttp, bool insecureHttpOnNetwork)
    {
        var scheme = listen.Split("://", 2)[0].ToLowerInvariant();
        if (scheme is not ("http" or "https") || !listen.Contains("://", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Listen: '{listen}' is not an http(s) URL such as https://127.0.0.1:10000");
        }

        // Uri refuses the wildcard hosts Kestrel knows ("*", "+"): they mean every address.
        var wildcard = listen.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(wildcard, UriKind.Absolute, out var uri) || uri.AbsolutePath.Trim('/').Length > 0)
        {
            throw new ArgumentException($"Listen: '{listen}' is not an http(s) URL such as https://127.0.0.1:10000 (no path)");
        }

        var listener = new RootListener(scheme == "https", uri.Host.Trim('[', ']'), uri.Port);
        if (listener.Https)
        {
            return listener;
        }

        if (!insecureHttp)
        {
            throw new ArgumentException(
                $"Listen: '{listen}' is plain HTTP, which sends passwords and tokens in the clear; use https://{uri.Authority}, " +
                "or pass --insecure-http (CANOPY_Root__InsecureHttp=true) for clients that speak only HTTP, such as Oakestra's");
        }

        if (!listener.IsLoopback && !insecureHttpOnNetwork)
        {
            throw new ArgumentException(
                $"Listen: '{listen}' serves plain HTTP on an address other machines reach; --insecure-http allows it on loopback only. " +
                "Use https://, or listen on 127.0.0.1, or pass --insecure-http-on-network too (CANOPY_Root__InsecureHttpOnNetwork=true) if this network is trusted");
        }

        return listener;
    }

    public bool IsLoopback => Host == "localhost" || (IPAddress.TryParse(Host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>The address to bind, or null for "localhost" (both loopbacks).</summary>
    public IPAddress? Address => Host == "localhost" ? null : IPAddress.TryParse(Host, out var address) ? address : null;
}
