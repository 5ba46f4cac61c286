using System.Security.Claims;
using Canopy.Contracts.Api;
using Canopy.Hosting;
using Canopy.Root.Store;

namespace Canopy.Root.Api;

/// <summary>
/// Who the caller is, and the records it may see: an Admin sees everything, anyone else only what they own. Someone else's
/// application or service answers 404 like a missing one, so ids of other users cannot be probed.
/// </summary>
internal static class Access
{
    public static string UserName(this ClaimsPrincipal user) =>
        user.FindFirst("sub")?.Value ?? user.Identity?.Name ?? throw ApiProblem.Unauthorized("The token names no user.");

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(Roles.Admin);

    public static bool MayUse(this ClaimsPrincipal user, string owner) => user.IsAdmin() || user.UserName() == owner;

    public static async Task<ApplicationRecord> ApplicationAsync(this IRootStore store, string id, ClaimsPrincipal user, CancellationToken ct)
    {
        var application = await store.GetApplicationAsync(id, ct);
        return application is not null && user.MayUse(application.Owner)
            ? application
            : throw ApiProblem.NotFound($"application '{id}' not found");
    }

    public static async Task<ServiceRecord> ServiceAsync(this IRootStore store, string id, ClaimsPrincipal user, CancellationToken ct)
    {
        var service = await store.GetServiceAsync(id, ct);
        return service is not null && user.MayUse(service.Owner)
            ? service
            : throw ApiProblem.NotFound($"service '{id}' not found");
    }
}
