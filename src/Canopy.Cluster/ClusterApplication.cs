using Canopy.Cluster.Api;
using Canopy.Cluster.Auth;
using Canopy.Cluster.Metrics;
using Canopy.Cluster.Storage;
using Canopy.Cluster.Tls;
using Canopy.Hosting;
using Canopy.Hosting.Metrics;
using Canopy.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster;

/// <summary>
/// The cluster orchestrator tier: node API on <see cref="ClusterOptions.Listen"/> (all but health, status and node registration need
/// an Admin's root token or the cluster's <see cref="ClusterAdminToken"/>), a Mosquitto child, MQTT handling of the nodes,
/// the cluster scheduler and failure detector, and the link to the root. Wait on <see cref="ClusterReadiness.Registered"/>
/// (from the app's services) to know it has joined the root.
/// </summary>
public static partial class ClusterApplication
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

        ClusterTls.AdoptMovedKeys(options);

        var builder = WebApplication.CreateSlimBuilder();
        options.Listener()!.Bind(builder, sp => sp.GetRequiredService<ClusterTls>().Server);
        builder.Services.AddCanopyCluster(options);
        builder.Services.AddCanopyApiLimits(options.Limits);
        builder.Services.AddSingleton(ClusterAdminToken.LoadOrCreate(options.DataDir));
        builder.Services.AddCanopyMetrics(options.Metrics, options.DataDir, ClusterMetrics.MeterName, NodeSeries.MeterName);
        builder.Services.AddSingleton<ClusterMetrics>();
        builder.Services.AddSingleton<IScrapeRefresh, NodeSeries>();

        configure?.Invoke(builder);

        var app = builder.Build();
        OpenStore(app);
        OpenPki(app, options);
        app.UseCanopyRequestMetrics(app.Services.GetRequiredService<ClusterMetrics>().Requests);
        app.UseCanopyProblems();
        app.UseCanopyBodyLimit(options.Limits);
        app.UseAuthentication();
        app.UseCanopyRateAndTimeLimits();
        app.UseAuthorization();
        app.MapNodeApi();
        app.MapClusterApi();
        app.MapCanopyMetrics();
        return app;
    }

    /// <summary>Opens (and migrates) the store now, so that a data dir this Canopy cannot use fails the start with its reason.</summary>
    private static void OpenStore(WebApplication app)
    {
        try
        {
            if (app.Services.GetRequiredService<IClusterStore>() is RelationalStore { Upgrade: { Upgraded: true } upgrade } store)
            {
                StoreUpgraded(app.Logger, store.Location.Display, upgrade.From, upgrade.To);
            }
        }
        catch
        {
            ((IDisposable)app).Dispose();
            throw;
        }
    }

    /// <summary>Loads (or makes, at the first start) the cluster's CA and server certificate now: a start fails on a pki dir it cannot use.</summary>
    private static void OpenPki(WebApplication app, ClusterOptions options)
    {
        try
        {
            app.Services.GetRequiredService<ClusterTls>();
        }
        catch
        {
            ((IDisposable)app).Dispose();
            throw;
        }
    }

    [LoggerMessage(EventId = EventIds.StoreUpgraded, Level = LogLevel.Information, Message = "Upgraded {File} from schema version {From} to {To}")]
    private static partial void StoreUpgraded(ILogger logger, string file, int from, int to);
}
