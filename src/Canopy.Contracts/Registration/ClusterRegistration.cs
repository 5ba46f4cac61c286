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
    /// The link credential of this cluster's last registration, if it has one: proves it is the same cluster when the root
    /// still sees its old link connected (otherwise a name in use by a connected cluster is refused).
    /// </summary>
    public string? Credential { get; init; }
}

/// <summary>The id (stable across re-registrations with the same name) and the secret that authenticates the link.</summary>
public sealed record ClusterRegisterResponse(string Id, string Credential);
