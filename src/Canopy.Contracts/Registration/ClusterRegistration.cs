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
}

/// <summary>The id (stable across re-registrations with the same name) and the secret that authenticates the link.</summary>
public sealed record ClusterRegisterResponse(string Id, string Credential);
