using System.Data.Common;
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
            var self = new ReplicaView(leadership.ReplicaId, leadership.ReplicaUrl, leadership.IsLeader);
            var leader = leadership.Leader is { } l ? new LeaderView(l.ReplicaId, l.Url, l.Term, l.Since) : null;
            try
            {
                var replicas = await leadership.ReplicasAsync(ct);
                return Results.Ok(new HealthDocument("ok", null, self, leader,
                    [.. replicas.Select(r => new ReplicaView(r.ReplicaId, r.Url, r.ReplicaId == leader?.Id, r.LastSeen))]));
            }
            catch (Exception e) when (e is DbException or IOException or TimeoutException)
            {
                return Results.Json(new HealthDocument("unhealthy", $"the root's database does not answer: {e.Message}", self, leader, []),
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous().ExcludeFromDescription();
}

/// <summary>The answer of <c>GET /health</c>.</summary>
public sealed record HealthDocument(string Status, string? Problem, ReplicaView Replica, LeaderView? Leader, IReadOnlyList<ReplicaView> Replicas);

public sealed record ReplicaView(string Id, string Url, bool Leader, DateTimeOffset? LastSeen = null);

public sealed record LeaderView(string Id, string Url, long Term, DateTimeOffset? Since);
