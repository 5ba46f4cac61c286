using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Canopy.Hosting.Metrics;

/// <summary>
/// Prometheus metrics of a tier: OpenTelemetry reading the tier's meters and the .NET runtime's, served at <c>/metrics</c> on
/// the tier's API port behind the scrape token (<see cref="ScrapeToken"/>).
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    private const string Hint =
        "A scrape needs 'Authorization: Bearer <scrape token>': the file metrics-token in this tier's data dir (made at its first start), " +
        "or the value of Metrics:ScrapeToken / CANOPY_METRICS_TOKEN when it is set. See docs/metrics.md.";

    /// <summary>Registers the token, OpenTelemetry's meter provider for <paramref name="meters"/> and the runtime, and its Prometheus exporter.</summary>
    public static IServiceCollection AddCanopyMetrics(this IServiceCollection services, MetricsOptions options, string dataDir, params string[] meters)
    {
        services.AddSingleton(options);
        services.AddSingleton(ScrapeToken.LoadOrCreate(options, dataDir));
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(meters)
            .AddRuntimeInstrumentation()

            // Each scrape reads the values then: a cache would hide a change for its lifetime and Prometheus scrapes rarely anyway.
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    /// <summary>Maps <c>/metrics</c>: the token (or loopback under <c>canopy up</c>), then every <see cref="IScrapeRefresh"/>, then the exporter.</summary>
    public static IEndpointConventionBuilder MapCanopyMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(Path, null, pipeline => pipeline.Use(async (context, next) =>
        {
            if (!Allowed(context))
            {
                var sent = context.Request.Headers.Authorization.Count > 0;
                context.Response.Headers.WWWAuthenticate = sent ? "Bearer error=\"invalid_token\"" : "Bearer";
                await ProblemJson.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                    $"{(sent ? "The scrape token is not valid." : "No scrape token was sent.")} {Hint}", []);
                return;
            }

            foreach (var refresh in context.RequestServices.GetServices<IScrapeRefresh>())
            {
                await refresh.RefreshAsync(context.RequestAborted);
            }

            await next(context);
        }), null).AllowAnonymous().DisableRateLimiting();

    /// <summary>First in the pipeline, so that it sees the status the client gets (problem+json answers included).</summary>
    public static IApplicationBuilder UseCanopyRequestMetrics(this IApplicationBuilder app, ApiRequestMetrics metrics) =>
        app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                metrics.Record(context, context.GetEndpoint(), started);
            }
        });

    private static bool Allowed(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<MetricsOptions>();
        if (options.LoopbackWithoutToken && context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote))
        {
            return true;
        }

        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && context.RequestServices.GetRequiredService<ScrapeToken>().Matches(header["Bearer ".Length..].Trim());
    }
}
