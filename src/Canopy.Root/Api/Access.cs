using System.Security.Claims;
using Canopy.Contracts.Api;
using Canopy.Hosting;
using Canopy.Root.Store;

namespace Canopy.Root.Api;

/// <summary>
/// Who the caller is, and the records it may see: an Admin sees everything, anyone else only what belongs to the organization their
/// token names. Another organization's application or service answers 404 like a missing one, so its ids cannot be probed. Which
/// roles a kind of route needs is <see cref="Auth.Policies"/>' job (403).
/// </summary>
internal static class Access
{
    public static string UserName(this ClaimsPrincipal user) =>
        user.FindFirst("sub")?.Value ?? user.Identity?.Name ?? throw ApiProblem.Unauthorized("The token names no user.");

    /// <summary>
    /// The id of the organization the caller logged in to (Oakestra's <c>organization</c> claim). Records an organization owns
    /// (applications, services, secrets) are matched against it; a name is for messages only (<see cref="OrganizationName"/>).
    /// </summary>
    public static string OrganizationId(this ClaimsPrincipal user) =>
        user.FindFirst(UserTokenClaims.Organization)?.Value is { Length: > 0 } id
            ? id
            : throw ApiProblem.Unauthorized("The token names no organization; log in again (POST /api/auth/login).");

    public static string OrganizationName(this ClaimsPrincipal user) =>
        user.FindFirst(UserTokenClaims.OrganizationName)?.Value ?? user.OrganizationId();

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(Roles.Admin);

    public static bool IsOrganizationAdmin(this ClaimsPrincipal user) => user.IsInRole(Roles.OrganizationAdmin);

    /// <summary>Whether the caller may see and change what <paramref name="organizationId"/> owns.</summary>
    public static bool MaySee(this ClaimsPrincipal user, string organizationId) => user.IsAdmin() || user.OrganizationId() == organizationId;

    public static async Task<ApplicationRecord> ApplicationAsync(this IRootStore store, string id, ClaimsPrincipal user, CancellationToken ct)
    {
        var application = await store.GetApplicationAsync(id, ct);
        return application is not null && user.MaySee(application.OrganizationId)
            ? application
            : throw ApiProblem.NotFound($"application '{id}' not found");
    }

    public static async Task<ServiceRecord> ServiceAsync(this IRootStore store, string id, ClaimsPrincipal user, CancellationToken ct)
    {
        var service = await store.GetServiceAsync(id, ct);
        return service is not null && user.MaySee(service.OrganizationId)
            ? service
            : throw ApiProblem.NotFound($"service '{id}' not found");
    }
}
