using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Hosting;

/// <summary>
/// Body size, rate and time limits on an API (<see cref="ApiLimitOptions"/>), each refusal a problem+json that says
/// what to do. Endpoints that carry their own protocol (the cluster link's WebSocket, node registration with its join
/// token) opt out with <c>DisableRateLimiting()</c>/<c>DisableRequestTimeout()</c>.
/// </summary>
public static class ApiLimits
{
    public static IServiceCollection AddCanopyApiLimits(this IServiceCollection services, ApiLimitOptions limits)
    {
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetTokenBucketLimiter(Caller(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.Burst,
                    TokensPerPeriod = limits.RequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            o.OnRejected = async (rejected, ct) =>
            {
                var retry = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds));
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ProblemJson.WriteAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"More than {limits.RequestsPerSecond} requests per second (bursts of {limits.Burst}) from {Caller(rejected.HttpContext)}; " +
                    $"wait {seconds} s and slow down (the limit is the API's RequestsPerSecond setting).", []);
            };
        });
        services.AddRequestTimeouts(o =>
        {
            o.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = limits.RequestTimeout,
                WriteTimeoutResponse = context => ProblemJson.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "Request timed out",
                    $"The request took longer than {limits.RequestTimeout.TotalSeconds:0} s and was given up; nothing more was done for it. Try again.", []),
            };
        });
        return services;
    }

    /// <summary>Before authentication: refuses bodies over the limit, whether declared or streamed.</summary>
    public static IApplicationBuilder UseCanopyBodyLimit(this IApplicationBuilder app, ApiLimitOptions limits) =>
        app.Use(async (context, next) =>
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = limits.MaxBodyBytes;
            }

            if (context.Request.ContentLength > limits.MaxBodyBytes)
            {
                await ProblemJson.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
                    $"The body has {context.Request.ContentLength} bytes; this API takes at most {limits.MaxBodyBytes} (the MaxBodyBytes setting).", []);
                return;
            }

            await next(context);
        });

    /// <summary>After authentication, so a user's requests count against the user wherever they come from.</summary>
    public static IApplicationBuilder UseCanopyRateAndTimeLimits(this IApplicationBuilder app) =>
        app.UseRateLimiter().UseRequestTimeouts();

    /// <summary>The user's name when authenticated, else the client address.</summary>
    private static string Caller(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && context.User.FindFirstValue("sub") is { } user
            ? "user " + user
            : "address " + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}
