using System.Security.Claims;
using Canopy.Root.Api;
using Canopy.Root.Store;

namespace Canopy.Root.Vault;

/// <summary>
/// Whose secrets a caller works with, and whose secrets a service may name: the one place that decides it. Secrets belong to
/// an organization, like the applications that name them; a member works with the secrets of the organization of their token.
/// </summary>
internal static class SecretScopes
{
    public static string Of(ClaimsPrincipal user) => user.OrganizationId();

    public static string Of(ApplicationRecord application) => application.OrganizationId;

    public static string Of(ServiceRecord service) => service.OrganizationId;
}
