namespace Canopy.Contracts.Registration;

/// <summary><c>POST /api/v1/clusters/register</c> at the root.</summary>
public sealed record ClusterRegisterRequest
{
    public required string ClusterName { get; init; }
    public required string JoinToken { get; init; }

    /// <summary>"lat,lon"</summary>
    public string? ClusterLocation { get; init; }

    /// <summary>Where the cluster's own API answers (informational; the root never dials it).</summary>
    public string? ManagerUrl { get; init; }

    /// <summary>
    /// The cluster's own secret, generated once and kept in its store. The root keeps only its hash: registering a name that is
    /// registered already needs it (a join token alone never takes over a cluster), and with it no join token is needed.
    /// </summary>
    public string? Secret { get; init; }

    /// <summary>
    /// The link credential of this cluster's last registration, if it has one. A cluster registered before cluster secrets
    /// existed proves with it, once, that it is that cluster; its secret is bound to the name from then on.
    /// </summary>
    public string? Credential { get; init; }
}

/// <summary>The id (stable across re-registrations with the same name) and the secret that authenticates the link.</summary>
public sealed record ClusterRegisterResponse(string Id, string Credential);
