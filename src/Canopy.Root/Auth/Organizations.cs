using Canopy.Root.Store;

namespace Canopy.Root.Auth;

/// <summary>
/// Oakestra's tenants. A user is a member of one or more organizations with roles in each; a login names one (or gets the only one,
/// or <c>root</c>), and the token carries it. The default organization <c>root</c> always exists: the Admin lives there, and every
/// user and application from before organizations existed moved into it.
/// </summary>
internal static class Organizations
{
    public const string DefaultName = "root";

    public static readonly string DefaultId = RootSchema.DefaultOrganizationId;

    /// <summary>
    /// The organization a login is for: the named one (by name or id) if the user is a member; else <c>root</c> if a member there,
    /// else their only one. The error says what to name, and never whether an organization the user is not in exists.
    /// </summary>
    public static async Task<(OrganizationRecord? Organization, MembershipRecord? Membership, string? Error)> ForLoginAsync(
        IRootStore store, string user, string? named, CancellationToken ct)
    {
        var memberships = await store.ListMembershipsAsync(null, user, ct);
        var organizations = (await store.ListOrganizationsAsync(ct)).ToDictionary(o => o.Id);
        if (!string.IsNullOrWhiteSpace(named))
        {
            var match = memberships.FirstOrDefault(m =>
                m.OrganizationId == named || (organizations.TryGetValue(m.OrganizationId, out var o) && o.Name == named));
            return match is null
                ? (null, null, "invalid username, password or organization")
                : (organizations[match.OrganizationId], match, null);
        }

        var chosen = memberships.FirstOrDefault(m => m.OrganizationId == DefaultId) ?? (memberships.Count == 1 ? memberships[0] : null);
        if (chosen is not null)
        {
            return (organizations[chosen.OrganizationId], chosen, null);
        }

        return memberships.Count == 0
            ? (null, null, $"user '{user}' belongs to no organization; an Admin or Organization_Admin adds them to one")
            : (null, null, "name an organization (\"organization\": NAME, or `canopy login --org NAME`); you belong to " +
                string.Join(", ", memberships.Select(m => organizations[m.OrganizationId].Name)));
    }
}
