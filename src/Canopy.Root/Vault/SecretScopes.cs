using System.Security.Claims;
using Canopy.Root.Api;
using Canopy.Root.Store;

namespace Canopy.Root.Vault;

/// <summary>
/// Whose secrets a caller works with, and whose secrets a service may name: the one place that decides it. Today the owner (as
/// applications are owned); with organizations, the organization, and only this file changes.
/// </summary>
internal static class SecretScopes
{
    public static string Of(ClaimsPrincipal user) => user.UserName();

    /// <summary>The scope of what <paramref name="owner"/> creates.</summary>
    public static string OfOwner(string owner) => owner;

    public static string Of(ApplicationRecord application) => application.Owner;

    public static string Of(ServiceRecord service) => service.Owner;
}
