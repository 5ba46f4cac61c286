using System.Text.Json;
using Canopy.Cluster.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Canopy.Cluster.Api;

/// <summary>What worker nodes call: registration (Oakestra's path) and leaving for good (Canopy's).</summary>
internal static class NodeEndpoints
{
    public static IEndpointRouteBuilder MapNodeApi(this IEndpointRouteBuilder app)
    {
        // No user credential: a join token or the node's own secret, which the registry checks.
        app.MapPost("/api/node/register", async ([FromBody] JsonElement body, NodeRegistry registry, CancellationToken ct) =>
            Results.Ok(await registry.RegisterAsync(body, ct))).AllowAnonymous().DisableRateLimiting();

        // No user credential either: only the node's own secret makes it leave.
        app.MapPost("/api/node/leave", async ([FromBody] JsonElement body, NodeRegistry registry, CancellationToken ct) =>
            Results.Ok(await registry.LeaveAsync(body, ct))).AllowAnonymous().DisableRateLimiting();
        return app;
    }
}
