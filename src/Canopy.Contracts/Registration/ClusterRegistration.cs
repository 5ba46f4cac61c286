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

/// <summary>
/// The id (stable across re-registrations with the same name), the secret that authenticates the link, and the root's public key
/// for user tokens and its clock, with which the cluster checks the tokens of root users calling its API, offline and by the
/// root's time (a cluster with a wrong clock would otherwise take live tokens for expired ones).
/// </summary>
/// <param name="NodeSubnetBlocks">
/// The blocks of 10.18.0.0/16–10.29.255.255 (CIDR, <c>Canopy.Core.Addressing.SubnetPlan.BlockPrefix</c>) the root gave this cluster for its
/// nodes' /26s, kept across re-registrations; the cluster asks for another over the link when they are full.
/// </param>
/// <param name="RootUrls">
/// Every replica's URL of this root (they share one database): the cluster keeps them and, when its link fails, moves to another
/// replica at once. Null from a root of one process (or an older build).
/// </param>
public sealed record ClusterRegisterResponse(string Id, string Credential, UserTokenKey? UserTokenKey = null, DateTimeOffset? RootTime = null,
    IReadOnlyList<string>? NodeSubnetBlocks = null, IReadOnlyList<string>? RootUrls = null);

/// <summary>
/// The public half of the root's user-token signing key, as the fields of an EC JSON Web Key (RFC 7517/7518): the root signs
/// with <see cref="Alg"/> ES256 (P-256) and only it holds the private half, so a cluster can check tokens but never make one.
/// </summary>
public sealed record UserTokenKey(string Kid, string Alg, string Crv, string X, string Y);
