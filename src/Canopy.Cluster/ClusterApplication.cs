using Canopy.Cluster.Api;
using Canopy.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster;

/// <summary>
/// The cluster orchestrator tier: node API on <see cref="ClusterOptions.Listen"/>, a Mosquitto child, MQTT handling of the nodes,
/// the cluster scheduler and failure detector, and the link to the root. Wait on <see cref="ClusterReadiness.Registered"/>
/// (from the app's services) to know it has joined the root.
/// </summary>
public static class ClusterApplication
{
    /// <param name="configure">Runs last, so a host (or a test: <c>b.WebHost.UseTestServer()</c>) can replace anything.</param>
    /// <exception cref="ArgumentException">The options are not usable; the message lists every problem.</exception>
    public static WebApplication Create(ClusterOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid cluster options: {string.Join("; ", problems)}", nameof(options));
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Listen);
        builder.Services.AddCanopyCluster(options);

        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseCanopyProblems();
        app.MapNodeApi();
        app.MapClusterApi();
        return app;
    }
}
