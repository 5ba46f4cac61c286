using System.Security.Claims;
using Canopy.Contracts.Api;
using Canopy.Hosting;
using Canopy.Root.Api;
using Canopy.Root.Store;

namespace Canopy.Root.Auth;

/// <summary>
/// The rules of user and member administration: an Admin manages every organization; an Organization_Admin only their own, cannot
/// grant Admin, and cannot touch an account that also belongs to another organization. Admin is a role of the root organization
/// only (it sees every organization, so holding it elsewhere would mean the same).
/// </summary>
internal static class MemberRules
{
    /// <summary>The organization named by id or name if the caller may manage it; 404 otherwise (another organization's is not revealed).</summary>
    public static async Task<OrganizationRecord> ManagedOrganizationAsync(IRootStore store, ClaimsPrincipal caller, string? idOrName, CancellationToken ct)
    {
        var wanted = string.IsNullOrWhiteSpace(idOrName) ? caller.OrganizationId() : idOrName;
        var organization = await store.GetOrganizationAsync(wanted, ct) ?? await store.FindOrganizationByNameAsync(wanted, ct);
        return organization is not null && (caller.IsAdmin() || (caller.IsOrganizationAdmin() && organization.Id == caller.OrganizationId()))
            ? organization
            : throw ApiProblem.NotFound($"organization '{wanted}' not found");
    }

    /// <summary>Known roles, Oakestra's spelling, each once; errors name the unknown ones.</summary>
    public static List<string> CheckRoles(IEnumerable<string> requested, List<string> errors)
    {
        var roles = new List<string>();
        foreach (var role in requested)
        {
            var known = Roles.All.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                errors.Add($"roles: unknown role '{role}' (known: {string.Join(", ", Roles.All)})");
            }
            else if (!roles.Contains(known))
            {
                roles.Add(known);
            }
        }

        return roles;
    }

    /// <summary>Refuses roles the caller may not hand out in <paramref name="organization"/>.</summary>
    public static void EnsureMayGrant(ClaimsPrincipal caller, OrganizationRecord organization, IReadOnlyCollection<string> roles)
    {
        if (!roles.Contains(Roles.Admin))
        {
            return;
        }

        if (!caller.IsAdmin())
        {
            throw ApiProblem.Forbidden("Only an Admin can grant the Admin role.");
        }

        if (organization.Id != Organizations.DefaultId)
        {
            throw ApiProblem.BadRequest(
                $"roles: Admin is a role of the organization '{Organizations.DefaultName}' only (it sees every organization); " +
                $"in '{organization.Name}' use Organization_Admin", ["roles: Admin outside root"]);
        }
    }

    /// <summary>The user if the caller may see them: themselves, anyone for an Admin, a member of their organization for an Organization_Admin.</summary>
    public static async Task<UserRecord?> VisibleUserAsync(IRootStore store, ClaimsPrincipal caller, string name, CancellationToken ct)
    {
        if (caller.IsAdmin() || caller.UserName() == name ||
            (caller.IsOrganizationAdmin() && (await store.ListMembershipsAsync(caller.OrganizationId(), name, ct)).Count > 0))
        {
            return await store.GetUserAsync(name, ct);
        }

        return null;
    }

    /// <summary>
    /// An Organization_Admin may change an account (password, email, deletion) only when it belongs to their organization alone:
    /// otherwise they could take over a member of another organization, an Admin included.
    /// </summary>
    public static async Task EnsureMayChangeAccountAsync(IRootStore store, ClaimsPrincipal caller, string name, CancellationToken ct)
    {
        if (caller.IsAdmin())
        {
            return;
        }

        var elsewhere = (await store.ListMembershipsAsync(null, name, ct)).Any(m => m.OrganizationId != caller.OrganizationId());
        if (elsewhere)
        {
            throw ApiProblem.Forbidden(
                $"'{name}' is also a member of other organizations, so only an Admin can change or delete the account; " +
                $"remove them from yours with DELETE /api/organization/{caller.OrganizationId()}/members/{name}");
        }
    }

    /// <summary>Nobody could administer the deployment any more without an Admin.</summary>
    public static async Task EnsureAnotherAdminAsync(IRootStore store, string name, CancellationToken ct)
    {
        var admins = (await store.ListMembershipsAsync(Organizations.DefaultId, null, ct)).Where(m => m.Roles.Contains(Roles.Admin));
        if (!admins.Any(m => m.UserName != name))
        {
            throw ApiProblem.Conflict($"'{name}' is the last user with the Admin role; give another user that role first");
        }
    }

    /// <summary>Whether <paramref name="name"/> holds Admin now.</summary>
    public static async Task<bool> IsAdminAsync(IRootStore store, string name, CancellationToken ct) =>
        (await store.ListMembershipsAsync(Organizations.DefaultId, name, ct)).Any(m => m.Roles.Contains(Roles.Admin));

    /// <summary>A user as the caller may see them: roles in <paramref name="contextOrganization"/>, and the organizations the caller may see.</summary>
    public static async Task<UserDocument> DocumentAsync(
        IRootStore store, ClaimsPrincipal caller, UserRecord user, string contextOrganization, CancellationToken ct)
    {
        var organizations = (await store.ListOrganizationsAsync(ct)).ToDictionary(o => o.Id);
        var memberships = await store.ListMembershipsAsync(null, user.Name, ct);
        return Document(user, memberships.Where(m => caller.MaySee(m.OrganizationId) || caller.UserName() == user.Name).ToList(), organizations, contextOrganization);
    }

    public static UserDocument Document(
        UserRecord user, IReadOnlyList<MembershipRecord> memberships, IReadOnlyDictionary<string, OrganizationRecord> organizations, string contextOrganization) =>
        new(user.Name, memberships.FirstOrDefault(m => m.OrganizationId == contextOrganization)?.Roles ?? [], user.Email, user.CreatedAt)
        {
            Id = new ObjectIdDocument(ObjectIds.ForUser(user.Name)),
            Organizations = memberships
                .Where(m => organizations.ContainsKey(m.OrganizationId))
                .Select(m => new UserOrganizationDocument(m.OrganizationId, organizations[m.OrganizationId].Name, m.Roles)).ToList(),
        };
}
