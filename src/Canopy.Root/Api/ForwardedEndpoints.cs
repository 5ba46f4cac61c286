using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Hosting;
using Canopy.Root.Auth;
using Canopy.Root.ClusterLinks;
using Canopy.Root.Monitoring;
using Canopy.Root.Replicas;
using Canopy.Root.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Canopy.Root.Api;

/// <summary>Questions only a cluster can answer (logs, its nodes), asked over its link and answered within the request timeout.</summary>
internal static class ForwardedEndpoints
{
    private const int DefaultTail = 200;
    private const int MaxTail = 10_000;

    public static void MapForwarded(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1").WithTags("clusters");
        v1.MapGet("/services/{id}/logs", LogsAsync).RequireAuthorization(Policies.Workloads).RequireLeader().Produces<LogsResponse>()
            .WithSummary("The last lines of an instance's output (all instances when 'instance' is not given), from its node.");
        v1.MapGet("/nodes", NodesAsync).RequireAuthorization(Policies.Infrastructure).RequireLeader().Produces<List<NodeDocument>>()
            .WithSummary("Worker nodes of every connected cluster, or of the one named by 'cluster'.");
    }

    private static async Task<IResult> LogsAsync(
        string id, string? instance, string? tail, ClaimsPrincipal user, IRootStore store, LinkHub hub, CancellationToken ct)
    {
        var service = await store.ServiceAsync(id, user, ct);
        var lines = ParseNumber(tail, "tail", DefaultTail, 1, MaxTail);
        var instances = await store.ListInstancesAsync(service.Id, ct);
        if (instance is not null)
        {
            var number = ParseNumber(instance, "instance", 0, 0, int.MaxValue);
            instances = instances.Where(i => i.InstanceNumber == number).ToList();
            if (instances.Count == 0)
            {
                throw ApiProblem.NotFound($"service '{id}' has no instance {number}");
            }
        }

        var clusters = (await store.ListClustersAsync(ct)).ToDictionary(c => c.Id, c => c.Name);
        var logs = await Task.WhenAll(instances.Select(i =>
            InstanceLogFetch.FetchAsync(hub, i, i.ClusterId is { } c ? clusters.GetValueOrDefault(c) : null, lines, ct)));
        return Results.Ok(new LogsResponse(service.Id, logs));
    }

    private static async Task<IResult> NodesAsync(string? cluster, IRootStore store, LinkHub hub, CancellationToken ct)
    {
        var clusters = await store.ListClustersAsync(ct);
        IEnumerable<ClusterRecord> targets;
        if (cluster is not null)
        {
            var named = clusters.FirstOrDefault(c => c.Name == cluster || c.Id == cluster)
                ?? throw ApiProblem.NotFound($"cluster '{cluster}' not found");
            if (!hub.IsConnected(named.Id))
            {
                throw ApiProblem.Unavailable($"cluster '{named.Name}' is not connected");
            }

            targets = [named];
        }
        else
        {
            targets = clusters.Where(c => hub.IsConnected(c.Id));
        }

        var answers = await Task.WhenAll(targets.Select(async c =>
        {
            try
            {
                var answer = await hub.RequestAsync(c.Id, c.Name, LinkRequestKinds.Nodes, null, ct);
                if (!answer.Ok)
                {
                    throw new ClusterUnavailableException(answer.Error ?? $"cluster '{c.Name}' could not list its nodes");
                }

                var nodes = answer.Body is { } body ? body.Deserialize<List<NodeDocument>>(CanopyJson.Options) ?? [] : [];
                return nodes.Select(n => n with { ClusterId = c.Id, ClusterName = c.Name }).ToList();
            }
            catch (Exception e) when (cluster is null && e is ClusterUnavailableException or JsonException)
            {
                // One silent cluster must not hide the others' nodes.
                return [];
            }
            catch (ClusterUnavailableException e)
            {
                throw new ApiProblem(StatusCodes.Status504GatewayTimeout, "Gateway timeout", e.Message);
            }
        }));
        return Results.Ok(answers.SelectMany(n => n).ToList());
    }

    private static int ParseNumber(string? text, string name, int fallback, int min, int max)
    {
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw ApiProblem.BadRequest($"{name}: '{text}' is not a whole number between {min} and {max}", [$"{name}: not a whole number in range"]);
    }
}
