using Microsoft.AspNetCore.Cors.Infrastructure;

namespace Canopy.Root.Api;

/// <summary>
/// Which browser pages may call the API (CORS): Oakestra's dashboard runs from its own address, so the browser asks first
/// (a preflight) before every call. Allowed are the operator's origins and, when <see cref="RootOptions.CorsAllowLoopback"/>
/// is set, any page of this machine; nothing else. The token travels in the Authorization header, never in cookies.
/// </summary>
internal static class CorsOrigins
{
    public const string Any = "*";

    public static bool IsValidSetting(string origin) => origin == Any || Parse(origin) is not null;

    public static void Configure(CorsPolicyBuilder policy, RootOptions options) => policy
        .SetIsOriginAllowed(Allows(options))
        .WithHeaders("Authorization", "Content-Type")
        .WithMethods("GET", "POST", "PUT", "DELETE")
        .SetPreflightMaxAge(TimeSpan.FromMinutes(10));

    public static Func<string, bool> Allows(RootOptions options)
    {
        var any = options.CorsOrigins.Contains(Any);
        var exact = options.CorsOrigins.Select(Parse).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return origin => any || (Parse(origin) is { } o && (exact.Contains(o) || (options.CorsAllowLoopback && IsLoopback(o))));
    }

    /// <summary><c>scheme://host:port</c> in lower case, the default port spelled out; null when it is not an http(s) origin.</summary>
    private static string? Parse(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" &&
        uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
            ? $"{uri.Scheme}://{uri.Host.ToLowerInvariant()}:{uri.Port}"
            : null;

    private static bool IsLoopback(string origin) => Hosting.Tls.ApiListener.IsLoopbackHost(new Uri(origin).DnsSafeHost);
}
