using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Canopy.Hosting.Metrics;

/// <summary>
/// <c>canopy_api_requests_total{route,method,status}</c> and their duration, on the tier's own meter. Not ASP.NET Core's
/// <c>http.server.*</c> instruments: <c>canopy up</c> runs root and cluster in one process, where those would mix both APIs.
/// </summary>
public sealed class ApiRequestMetrics
{
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public ApiRequestMetrics(Meter meter)
    {
        _requests = meter.CreateCounter<long>("canopy_api_requests", description: "API requests answered, by route template, method and status code");
        _duration = meter.CreateHistogram<double>("canopy_api_request_duration", "s", "Time to answer an API request",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
    }

    /// <summary>One answered request; <paramref name="endpoint"/> is the one routing chose (an error handler may clear it).</summary>
    internal void Record(HttpContext context, Endpoint? endpoint, long startedAt)
    {
        var tags = new TagList
        {
            { "route", endpoint is RouteEndpoint r ? r.RoutePattern.RawText ?? "" : "unmatched" },
            { "method", context.Request.Method },
            { "status", context.Response.StatusCode.ToString(CultureInfo.InvariantCulture) },
        };
        _requests.Add(1, tags);
        _duration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, tags);
    }
}
