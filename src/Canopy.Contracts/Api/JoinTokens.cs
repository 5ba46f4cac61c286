namespace Canopy.Contracts.Api;

/// <summary>The two kinds of join token: a cluster's (issued at the root) and a node's (issued at a cluster, through the root).</summary>
public static class JoinTokenKinds
{
    public const string Cluster = "cluster";
    public const string Node = "node";
}

/// <summary><c>POST /api/v1/tokens/clusters</c> and <c>POST /api/v1/clusters/{cluster}/tokens/nodes</c>; no TTL = never expires.</summary>
public sealed record CreateJoinTokenRequest(string? Description = null, long? TtlSeconds = null);

/// <summary>A token as listed: never its secret.</summary>
public sealed record JoinTokenDocument(
    string Id, string Kind, string? Description, DateTimeOffset CreatedAt, string? CreatedBy, DateTimeOffset? ExpiresAt, bool Revoked);

/// <summary>The answer to a creation: the only time the secret <see cref="Token"/> is shown.</summary>
public sealed record CreatedJoinTokenDocument(
    string Id, string Token, string Kind, string? Description, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);
