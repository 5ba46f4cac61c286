using System.Data.Common;
using Canopy.Contracts.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Canopy.Root.Replicas;

/// <summary><c>GET /health</c>: this replica, the leader (id, URL, term) and every live replica; 503 when the database does not answer.</summary>
internal static class HealthEndpoint
{
    public static void MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/health", async (RootLeadership leadership, CancellationToken ct) =>
        {
            var self = new RootReplica(leadership.ReplicaId, leadership.ReplicaUrl, leadership.IsLeader);
            var leader = leadership.Leader is { } l ? new RootLeader(l.ReplicaId, l.Url, l.Term, l.Since) : null;
            try
            {
                var replicas = await leadership.ReplicasAsync(ct);
                return Results.Ok(new RootHealth("ok", null, self, leader,
                    [.. replicas.Select(r => new RootReplica(r.ReplicaId, r.Url, r.ReplicaId == leader?.Id, r.LastSeen))]));
            }
            catch (Exception e) when (e is DbException or IOException or TimeoutException)
            {
                return Results.Json(new RootHealth("unhealthy", $"the root's database does not answer: {e.Message}", self, leader, []),
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous().ExcludeFromDescription();
}
