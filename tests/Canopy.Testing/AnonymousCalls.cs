using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Testing;

/// <summary>
/// Calls every route of a tier without any credential: the routes come from the app's <see cref="EndpointDataSource"/>, so a
/// route added later is called too. Route parameters get placeholder values, bodies are <c>{}</c>.
/// </summary>
public static partial class AnonymousCalls
{
    /// <param name="Route">Method and route pattern, e.g. <c>GET /api/v1/nodes/{id}</c>.</param>
    /// <param name="Detail">The problem's <c>detail</c>, when the answer is problem+json.</param>
    public sealed record Answer(string Route, int Status, string? ContentType, string? Detail);

    public static async Task<IReadOnlyList<Answer>> CallEveryRouteAsync(IServiceProvider services, HttpClient anonymous)
    {
        var answers = new List<Answer>();
        foreach (var (method, pattern) in Routes(services))
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), Parameter().Replace(pattern, m => m.Value.Contains(":int") ? "0" : "x"));
            if (method is "POST" or "PUT" or "PATCH")
            {
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            }

            using var response = await anonymous.SendAsync(request);
            var type = response.Content.Headers.ContentType?.MediaType;
            var body = await response.Content.ReadAsStringAsync();
            answers.Add(new Answer($"{method} {pattern}", (int)response.StatusCode, type, type == "application/problem+json" ? DetailOf(body) : null));
        }

        return answers;
    }

    /// <summary>Every route of the app (method and pattern), from its endpoint data source, in a stable order.</summary>
    public static IReadOnlyList<(string Method, string Pattern)> Routes(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } methods ? methods : ["GET"])
                .Select(m => (Method: m, Pattern: "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct()
            .OrderBy(r => r.Pattern, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)
            .ToList();

    private static string? DetailOf(string body)
    {
        using var problem = JsonDocument.Parse(body);
        return problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
