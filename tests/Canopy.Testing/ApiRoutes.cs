using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Testing;

/// <summary>Every route a tier maps, from its <see cref="EndpointDataSource"/>: a route added later is walked by the tests too.</summary>
public static partial class ApiRoutes
{
    public sealed record Route(string Method, string Pattern)
    {
        /// <summary>The pattern with placeholder values: <c>0</c> for int parameters, else <paramref name="value"/>.</summary>
        public string Path(string value = "x") => Parameter().Replace(Pattern, m => m.Value.Contains(":int") ? "0" : value);

        public bool TakesBody => Method is "POST" or "PUT" or "PATCH";

        public override string ToString() => $"{Method} {Pattern}";
    }

    public static IReadOnlyList<Route> Of(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } methods ? methods : ["GET"])
                .Select(m => new Route(m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct()
            .OrderBy(r => r.Pattern, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)
            .ToList();

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
