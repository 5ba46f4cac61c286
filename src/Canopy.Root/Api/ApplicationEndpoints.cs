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

/// <summary>Oakestra's application paths.</summary>
internal static class ApplicationEndpoints
{
    public static void MapApplications(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("applications").RequireAuthorization(Policies.Workloads);
        api.MapPost("/application/", CreateAsync)
            .AcceptsDescriptor<SlaDocument>().Produces<List<ApplicationDocument>>()
            .WithSummary("SLA v2.0 descriptor (JSON, or YAML sent as application/yaml) → its applications and services (no instances yet); answers all of the caller's applications.");
        api.MapGet("/application/{id}", async (string id, ClaimsPrincipal user, IRootStore store, Views views, CancellationToken ct) =>
                Results.Ok(await views.ApplicationAsync(await store.ApplicationAsync(id, user, ct), ct)))
            .Produces<ApplicationDocument>();
        api.MapPut("/application/{id}", UpdateAsync)
            .Accepts<ApplicationUpdateRequest>("application/json").Produces<ApplicationDocument>();
        api.MapDelete("/application/{id}", async (string id, ClaimsPrincipal user, DeploymentService deployments, CancellationToken ct) =>
            {
                var outcome = await deployments.DeleteApplicationAsync(user, id, ct);
                return Results.Ok(new MessageResponse(outcome.ApplicationRemoved
                    ? $"application '{id}' deleted"
                    : $"application '{id}' is being deleted; {outcome.AwaitingUndeploy.Count} instances are being undeployed"));
            })
            .Produces<MessageResponse>();
        api.MapGet("/applications/", async (ClaimsPrincipal user, Views views, CancellationToken ct) =>
                Results.Ok(await views.ApplicationsAsync(user.IsAdmin() ? null : user.OrganizationId(), null, null, ct)))
            .Produces<List<ApplicationDocument>>().WithSummary("Admin: every application; others: their organization's.");
        api.MapGet("/applications/{userId}", OfUserAsync)
            .Produces<List<ApplicationDocument>>()
            .WithSummary("The applications a user created, by the user's _id (GET /api/user/{name}): in your organization; Admin: anywhere.");
    }

    private static async Task<IResult> OfUserAsync(string userId, ClaimsPrincipal user, IRootStore store, Views views, CancellationToken ct)
    {
        // Anyone but an Admin sees only the members of their organization, and only what they made there.
        var organization = user.IsAdmin() ? null : user.OrganizationId();
        var members = (await store.ListMembershipsAsync(organization, null, ct)).Select(m => m.UserName).ToHashSet();
        var owner = (await store.ListUsersAsync(ct)).FirstOrDefault(u => ObjectIds.ForUser(u.Name) == userId && (organization is null || members.Contains(u.Name)))
            ?? throw ApiProblem.NotFound($"no user has the id '{userId}'");
        return Results.Ok(await views.ApplicationsAsync(organization, owner.Name, null, ct));
    }

    private static async Task<IResult> CreateAsync(
        HttpContext context, ClaimsPrincipal user, DeploymentService deployments, Views views, CancellationToken ct)
    {
        var json = await JsonBody.ReadDescriptorAsync(context.Request, ct);
        var warnings = await deployments.CreateApplicationsAsync(user, json, ct);
        return Results.Ok(await views.ApplicationsAsync(user.OrganizationId(), user.UserName(), warnings, ct));
    }

    private static async Task<IResult> UpdateAsync(
        string id, HttpContext context, ClaimsPrincipal user, DeploymentService deployments, Views views, CancellationToken ct)
    {
        var request = await JsonBody.ReadAsync<ApplicationUpdateRequest>(context.Request, ct);
        var updated = await deployments.UpdateApplicationAsync(user, id, request, ct);
        return Results.Ok(await views.ApplicationAsync(updated, ct));
    }
}
