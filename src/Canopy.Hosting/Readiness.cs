using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Canopy.Hosting;

/// <summary>
/// What a Canopy process must have before it serves fully, asked afresh on every <c>GET /health/ready</c>: 200 when every
/// condition holds, 503 naming those that do not. A tier alone has none beyond answering; <c>canopy up</c> adds its
/// cluster's link to the root and its node's join, so one probe tells a supervisor (systemd, a load balancer, a test)
/// that the whole process is ready.
/// </summary>
public sealed class Readiness
{
    public const string Path = "/health/ready";

    private readonly Lock _gate = new();
    private readonly List<(string What, Func<bool> Holds)> _conditions = [];

    /// <param name="what">Names the condition as a user reads it, e.g. "cluster cluster-1 connected to the root".</param>
    public void Require(string what, Func<bool> holds)
    {
        ArgumentException.ThrowIfNullOrEmpty(what);
        ArgumentNullException.ThrowIfNull(holds);
        lock (_gate)
        {
            _conditions.Add((what, holds));
        }
    }

    /// <summary>The conditions that do not hold now; empty when ready.</summary>
    public IReadOnlyList<string> Pending()
    {
        lock (_gate)
        {
            return [.. _conditions.Where(c => !c.Holds()).Select(c => c.What)];
        }
    }
}

/// <summary>Maps <see cref="Readiness.Path"/>, open without a token like <c>/health</c>.</summary>
public static class ReadinessEndpoint
{
    public static IEndpointConventionBuilder MapReadiness(this IEndpointRouteBuilder app) =>
        app.MapGet(Readiness.Path, (Readiness readiness) =>
        {
            var pending = readiness.Pending();
            return Results.Json(
                new ReadinessDocument(pending.Count == 0 ? "ready" : "starting", pending),
                statusCode: pending.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().ExcludeFromDescription();
}

/// <summary>The answer of <c>GET /health/ready</c>: <c>{"status": "ready"|"starting", "waiting_for": [...]}</c>.</summary>
public sealed record ReadinessDocument(string Status, IReadOnlyList<string> WaitingFor);
