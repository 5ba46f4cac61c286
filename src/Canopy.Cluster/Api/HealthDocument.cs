namespace Canopy.Cluster.Api;

/// <summary><c>GET /health</c>: 200 when the cluster can serve its nodes (broker up), 503 otherwise.</summary>
internal sealed record HealthDocument(string Status, bool Broker, bool Mqtt, bool ConnectedToRoot);
