using Canopy.Contracts.Api;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Canopy.Root.Auth;

/// <summary>
/// Which roles a kind of route needs; a caller without one of them gets 403 naming them. Which records they then see is
/// <see cref="Api.Access"/>' job (their organization's; Admin: all).
/// </summary>
internal static class Policies
{
    /// <summary>Organizations, every user: the deployment's administrators.</summary>
    public const string Admin = "admin";

    /// <summary>Applications, services, instances, logs, events: of the caller's organization.</summary>
    public const string Workloads = "workloads";

    /// <summary>Clusters, nodes, join tokens: shared by every organization, so kept to those who run the infrastructure.</summary>
    public const string Infrastructure = "infrastructure";

    /// <summary>
    /// The fleet's event stream: anyone who may see workloads (their organization's instance and placement events) or infrastructure
    /// (node and cluster events); <see cref="Api.Access"/> narrows each caller to their part.
    /// </summary>
    public const string Events = "events";

    /// <summary>Users and members of the caller's organization.</summary>
    public const string Members = "members";

    public static readonly IReadOnlyDictionary<string, string[]> RolesOf = new Dictionary<string, string[]>
    {
        [Admin] = [Roles.Admin],
        [Workloads] = [Roles.Admin, Roles.OrganizationAdmin, Roles.ApplicationProvider],
        [Infrastructure] = [Roles.Admin, Roles.InfrastructureProvider],
        [Events] = [Roles.Admin, Roles.OrganizationAdmin, Roles.ApplicationProvider, Roles.InfrastructureProvider],
        [Members] = [Roles.Admin, Roles.OrganizationAdmin],
    };

    public static AuthorizationBuilder AddCanopyPolicies(this AuthorizationBuilder builder)
    {
        foreach (var (name, roles) in RolesOf)
        {
            builder.AddPolicy(name, p => p.RequireRole(roles));
        }

        return builder;
    }

    /// <summary>The 403 message for the route being answered.</summary>
    public static string Forbidden(HttpContext context)
    {
        var policy = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
        return policy is not null && RolesOf.TryGetValue(policy, out var roles)
            ? $"Your roles in this organization do not allow this; it needs {(roles.Length == 1 ? "the role " : "one of the roles ")}{string.Join(", ", roles)}."
            : "Your roles in this organization do not allow this.";
    }
}
