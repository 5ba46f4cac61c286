using Canopy.Cluster.Auth;
using Canopy.Cluster.Broker;
using Canopy.Cluster.Instances;
using Canopy.Cluster.Nodes;
using Canopy.Cluster.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Canopy.Cluster.Api;

/// <summary>The cluster's own status, and its nodes, instances and traffic for its administrators.</summary>
internal static class ClusterEndpoints
{
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        // Oakestra's probe and the health check stay open; nodes and traffic need Admin or Infrastructure_Provider, the rest Admin
        // (ClusterAuthentication).
        app.MapGet("/api/cluster/status", (ClusterOptions options, ClusterReadiness readiness) =>
            new ClusterStatusDocument(options.Name, readiness.ClusterId, readiness.ConnectedToRoot, readiness.Root?.Url, readiness.Root?.Since))
            .AllowAnonymous();

        app.MapGet("/api/v1/nodes", async (IClusterStore store, ClusterOptions options, ClusterReadiness readiness, CancellationToken ct) =>
            NodeDocuments.Build(await store.ListNodesAsync(ct), await store.ListInstancesAsync(ct), readiness.ClusterId, options.Name))
            .RequireAuthorization(ClusterAuthentication.InfrastructurePolicy);

        app.MapGet("/api/v1/instances", (InstanceTracker tracker, CancellationToken ct) => tracker.ReportAllAsync(_ => true, ct));

        app.MapGet("/api/v1/traffic", (ClusterTraffic traffic) => traffic.Snapshot()).RequireAuthorization(ClusterAuthentication.InfrastructurePolicy);

        app.MapGet("/health", (ClusterOptions options, MosquittoProcess broker, ClusterMqtt mqtt, ClusterReadiness readiness) =>
        {
            var brokerUp = !options.Mqtt.StartBroker || broker.Pid is not null;
            var health = new HealthDocument(brokerUp && mqtt.IsConnected ? "ok" : "degraded", brokerUp, mqtt.IsConnected, readiness.ConnectedToRoot);
            return Results.Json(health, statusCode: brokerUp ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous();
        return app;
    }
}
