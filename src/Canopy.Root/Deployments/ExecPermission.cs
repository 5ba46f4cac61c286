using System.Security.Claims;
using System.Text.Json.Nodes;
using Canopy.Core.Descriptors;
using Canopy.Hosting;
using Canopy.Root.Api;
using Canopy.Root.Store;

namespace Canopy.Root.Deployments;

/// <summary>
/// Who may deploy <c>virtualization: exec</c> (a native process on the node, beside the node's own files and network: weaker walls
/// than a container's): a caller whose organization is in <see cref="RootOptions.ExecAllowedOrganizations"/> and who holds one of
/// <see cref="RootOptions.ExecAllowedRoles"/> there. A refusal is a 403 that names the setting.
/// </summary>
internal sealed class ExecPermission(RootOptions options)
{
    /// <summary>Refuses the first exec microservice the caller may not deploy; <paramref name="services"/> are (field path, descriptor).</summary>
    public void Check(ClaimsPrincipal user, IEnumerable<(string Path, SlaMicroservice Service)> services)
    {
        foreach (var (path, service) in services)
        {
            if (service.NormalizedVirtualization() == Virtualizations.Exec)
            {
                Check(user, path);
            }
        }
    }

    /// <summary>For more instances of a stored service.</summary>
    public void Check(ClaimsPrincipal user, ServiceRecord service)
    {
        var virtualization = JsonNode.Parse(service.Microservice)?["virtualization"]?.GetValue<string>();
        if (Virtualizations.Normalize(virtualization) == Virtualizations.Exec)
        {
            Check(user, $"service {service.JobName}");
        }
    }

    private void Check(ClaimsPrincipal user, string path)
    {
        var organizations = options.ExecOrganizations();
        var roles = options.ExecRoles();
        var organizationAllowed = organizations.Contains("*") ||
            organizations.Contains(user.OrganizationName()) || organizations.Contains(user.OrganizationId());
        var roleAllowed = roles.Any(user.IsInRole);
        if (organizationAllowed && roleAllowed)
        {
            return;
        }

        var why = !organizationAllowed
            ? $"organization '{user.OrganizationName()}' is not in the root's ExecAllowedOrganizations ({string.Join(", ", organizations)})"
            : $"none of your roles is in the root's ExecAllowedRoles ({string.Join(", ", roles)})";
        throw ApiProblem.Forbidden(
            $"{path}.virtualization: 'exec' is not allowed for you: {why}. Deploy it as a container, or ask the root's operator to " +
            "extend Root:ExecAllowedOrganizations / Root:ExecAllowedRoles (CANOPY_ROOT__EXECALLOWEDORGANIZATIONS__0=..., CANOPY_ROOT__EXECALLOWEDROLES__0=...).");
    }
}
