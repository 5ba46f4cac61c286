namespace Canopy.Contracts.Api;

/// <summary>The two kinds of join token: a cluster's (issued at the root) and a node's (issued at a cluster, through the root).</summary>
public static class JoinTokenKinds
{
    public const string Cluster = "cluster";
    public const string Node = "node";
}

/// <summary>
/// <c>POST /api/v1/tokens/clusters</c> and <c>POST /api/v1/clusters/{cluster}/tokens/nodes</c>; no TTL = never expires, no
/// <see cref="MaxUses"/> = any number of registrations. A use is one new cluster or node; re-registering with its own secret uses none.
/// </summary>
public sealed record CreateJoinTokenRequest(string? Description = null, long? TtlSeconds = null, int? MaxUses = null);

/// <summary>A token as listed: never its secret. <see cref="Uses"/> counts the clusters or nodes it registered.</summary>
public sealed record JoinTokenDocument(
    string Id, string Kind, string? Description, DateTimeOffset CreatedAt, string? CreatedBy, DateTimeOffset? ExpiresAt, bool Revoked,
    int? MaxUses = null, int Uses = 0);

/// <summary>The answer to a creation: the only time the secret <see cref="Token"/> is shown.</summary>
public sealed record CreatedJoinTokenDocument(
    string Id, string Token, string Kind, string? Description, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, int? MaxUses = null);
