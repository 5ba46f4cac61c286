namespace Canopy.Cluster.Api;

/// <summary><c>GET /api/cluster/status</c>: Oakestra's fields, and the root replica the link is (or was last) up to, since when.</summary>
internal sealed record ClusterStatusDocument(string ClusterName, string? ClusterId, bool ConnectedToRoot, string? RootUrl = null, DateTimeOffset? LinkedSince = null);
