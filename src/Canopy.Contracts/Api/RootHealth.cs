namespace Canopy.Contracts.Api;

/// <summary>
/// The root's <c>GET /health</c> (anonymous): <c>ok</c>, or <c>unhealthy</c> with the problem (503) when its database does not
/// answer; the replica that answered, the leader (id, URL, term; null while none leads) and every live replica.
/// </summary>
public sealed record RootHealth(string Status, string? Problem, RootReplica Replica, RootLeader? Leader, IReadOnlyList<RootReplica> Replicas);

/// <summary>A root replica: its id (new at each start), its API address, whether it leads, when it was last seen (listing only).</summary>
public sealed record RootReplica(string Id, string Url, bool Leader, DateTimeOffset? LastSeen = null);

/// <summary>The leader replica; its term (the fencing token) grows with each new leader.</summary>
public sealed record RootLeader(string Id, string Url, long Term, DateTimeOffset? Since);
