namespace Canopy.Cluster.Api;

/// <summary><c>GET /api/cluster/status</c>, Oakestra's fields.</summary>
internal sealed record ClusterStatusDocument(string ClusterName, string? ClusterId, bool ConnectedToRoot);
