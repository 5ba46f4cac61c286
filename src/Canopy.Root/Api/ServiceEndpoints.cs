using System.Globalization;
using System.Security.Claims;
using Canopy.Contracts.Api;
using Canopy.Core.Descriptors;
using Canopy.Hosting;
using Canopy.Root.Auth;
using Canopy.Root.Deployments;
using Canopy.Root.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Canopy.Root.Api;

/// <summary>Oakestra's service ("job") and instance paths.</summary>
internal static class ServiceEndpoints
{
    public static void MapServices(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("services").RequireAuthorization(Policies.Workloads);
        api.MapPost("/service/", async (HttpContext context, ClaimsPrincipal user, DeploymentService deployments, CancellationToken ct) =>
                Results.Ok(await deployments.AddServicesAsync(user, await JsonBody.ReadDescriptorAsync(context.Request, ct), ct)))
            .AcceptsDescriptor<SlaDocument>().Produces<ServiceDeploymentResponse>()
            .WithSummary("Adds the descriptor's microservices to the application applications[0].applicationID names.");
        api.MapGet("/service/{id}", async (string id, ClaimsPrincipal user, IRootStore store, Views views, CancellationToken ct) =>
                Results.Ok(await views.ServiceWithLogsAsync(await store.ServiceAsync(id, user, ct), ct)))
            .Produces<ServiceDocument>();
        api.MapPut("/service/{id}", UpdateAsync)
            .AcceptsDescriptor<SlaMicroservice>().Produces<ServiceDocument>()
            .WithSummary("Changes microservice fields; running instances are replaced one by one when what they run changed.");
        api.MapDelete("/service/{id}", async (string id, ClaimsPrincipal user, DeploymentService deployments, CancellationToken ct) =>
            {
                var outcome = await deployments.DeleteServiceAsync(user, id, ct);
                return Results.Ok(new MessageResponse(outcome.ServiceRemoved
                    ? $"service '{id}' deleted"
                    : $"service '{id}' is being deleted; {outcome.AwaitingUndeploy.Count} instances are being undeployed"));
            })
            .Produces<MessageResponse>();
        api.MapGet("/services/", async (ClaimsPrincipal user, IRootStore store, Views views, CancellationToken ct) =>
                Results.Ok(await views.ServicesAsync((await store.ListServicesAsync(null, ct)).Where(s => user.MaySee(s.OrganizationId)), ct)))
            .Produces<List<ServiceDocument>>().WithSummary("Every service you may see: your organization's; Admin: all.");
        api.MapGet("/services/{appId}", async (string appId, ClaimsPrincipal user, IRootStore store, Views views, CancellationToken ct) =>
            {
                var application = await store.ApplicationAsync(appId, user, ct);
                return Results.Ok(await views.ServicesAsync(await store.ListServicesAsync(application.Id, ct), ct));
            })
            .Produces<List<ServiceDocument>>();
        api.MapPost("/service/{id}/instance", async (string id, ClaimsPrincipal user, DeploymentService deployments, CancellationToken ct) =>
            {
                var instance = await deployments.AddInstanceAsync(user, id, ct);
                return Results.Ok(new InstanceAddedResponse("ok", instance.InstanceNumber));
            })
            .Produces<InstanceAddedResponse>().WithSummary("One more instance (scale up by one), placed at once.");
        api.MapDelete("/service/{id}/instance/{number}", RemoveInstanceAsync).Produces<MessageResponse>();
    }

    private static async Task<IResult> UpdateAsync(
        string id, HttpContext context, ClaimsPrincipal user, DeploymentService deployments, Views views, CancellationToken ct)
    {
        var json = await JsonBody.ReadDescriptorAsync(context.Request, ct);
        var updated = await deployments.UpdateServiceAsync(user, id, json, ct);
        return Results.Ok(await views.ServiceAsync(updated, ct));
    }

    private static async Task<IResult> RemoveInstanceAsync(
        string id, string number, ClaimsPrincipal user, DeploymentService deployments, CancellationToken ct)
    {
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            throw ApiProblem.BadRequest($"instance number '{number}' is not a non-negative integer");
        }

        var gone = await deployments.RemoveInstanceAsync(user, id, n, ct);
        return Results.Ok(new MessageResponse(gone ? $"instance {n} removed" : $"instance {n} is being undeployed"));
    }
}
