using System.Security.Claims;
using Canopy.Contracts.Api;
using Canopy.Hosting;
using Canopy.Root.Auth;
using Canopy.Root.Deployments;
using Canopy.Root.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Canopy.Root.Api;

/// <summary>Canopy's instance views and scale-to-N.</summary>
internal static class InstanceEndpoints
{
    public static void MapInstances(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1").WithTags("instances").RequireAuthorization(Policies.Workloads);
        v1.MapGet("/instances", ListAllAsync).Produces<List<ServiceInstanceDocument>>()
            .WithSummary("Every instance of the services of the caller's organization (Admin: of all), with live status.");
        v1.MapGet("/services/{id}/instances", async (string id, ClaimsPrincipal user, IRootStore store, Views views, CancellationToken ct) =>
            {
                var service = await store.ServiceAsync(id, user, ct);
                var clusters = await views.ClustersAsync(ct);
                return Results.Ok((await store.ListInstancesAsync(service.Id, ct)).Select(i => views.Instance(i, clusters)).ToList());
            })
            .Produces<List<InstanceDocument>>();
        v1.MapGet("/services/{id}/instances/{number:int}", DetailAsync).Produces<InstanceDetailDocument>()
            .WithSummary("One instance with its recent events (scheduled, started, died, rescheduled), oldest first.");
        v1.MapPut("/services/{id}/scale", ScaleAsync)
            .Accepts<ScaleRequest>("application/json").Produces<ServiceDocument>()
            .WithSummary("Adds instances, or removes the highest-numbered ones, until the service has the given number.");
    }

    private static async Task<IResult> ListAllAsync(ClaimsPrincipal user, IRootStore store, Views views, CancellationToken ct)
    {
        var services = (await store.ListServicesAsync(null, ct)).Where(s => user.MaySee(s.OrganizationId)).ToDictionary(s => s.Id);
        var clusters = await views.ClustersAsync(ct);
        var instances = (await store.ListInstancesAsync(null, ct)).Where(i => services.ContainsKey(i.ServiceId));
        return Results.Ok(instances
            .Select(i => views.ServiceInstance(services[i.ServiceId], i, clusters))
            .ToList());
    }

    private static async Task<IResult> DetailAsync(
        string id, int number, ClaimsPrincipal user, IRootStore store, Views views, CancellationToken ct)
    {
        var service = await store.ServiceAsync(id, user, ct);
        var instance = await store.GetInstanceAsync(service.Id, number, ct)
            ?? throw ApiProblem.NotFound($"service {service.JobName} has no instance {number}");
        return Results.Ok(await views.InstanceDetailAsync(service, instance, ct));
    }

    private static async Task<IResult> ScaleAsync(
        string id, HttpContext context, ClaimsPrincipal user, DeploymentService deployments, Views views, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<ScaleBody>(context.Request, ct);
        if (body.Instances is not { } count)
        {
            throw ApiProblem.BadRequest("instances: required (the number of instances the service should have)", ["instances: required"]);
        }

        var service = await deployments.ScaleAsync(user, id, count, ct);
        return Results.Ok(await views.ServiceAsync(service, ct));
    }

    /// <summary>A missing count must not read as 0 (which would remove every instance).</summary>
    private sealed record ScaleBody(int? Instances);
}
