using Canopy.Contracts.Api;
using Canopy.Hosting;
using Canopy.Root.Auth;
using Canopy.Root.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Canopy.Root.Api;

/// <summary>
/// Clusters with their aggregated resources. Oakestra leaves the list paths open (dashboards of every role read them; nothing secret);
/// Canopy's detail path is for those who run the infrastructure.
/// </summary>
internal static class ClusterEndpoints
{
    public static void MapClusters(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("clusters");
        api.MapGet("/clusters/", async (IRootStore store, Views views, CancellationToken ct) =>
                Results.Ok((await store.ListClustersAsync(ct)).Select(views.Cluster).ToList()))
            .AllowAnonymous().Produces<List<ClusterDocument>>();
        api.MapGet("/clusters/active", async (IRootStore store, Views views, CancellationToken ct) =>
                Results.Ok((await store.ListClustersAsync(ct)).Select(views.Cluster).Where(c => c.Active).ToList()))
            .AllowAnonymous().Produces<List<ClusterDocument>>();
        api.MapGet("/v1/clusters/{id}", async (string id, IRootStore store, Views views, CancellationToken ct) =>
                await store.GetClusterAsync(id, ct) is { } cluster
                    ? Results.Ok(views.Cluster(cluster))
                    : throw ApiProblem.NotFound($"cluster '{id}' not found"))
            .RequireAuthorization(Policies.Infrastructure).Produces<ClusterDocument>();
    }
}
