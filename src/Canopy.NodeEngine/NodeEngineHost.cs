using Canopy.Net;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.ClusterLink;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.NetManager;
using Canopy.NodeEngine.Network;
using Canopy.NodeEngine.Runtimes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine;

/// <summary>
/// The node engine's one entry point: a generic host (no web server: it targets 1 GB devices) with the worker
/// that recovers instances, registers with the cluster and keeps the MQTT session.
/// </summary>
public static class NodeEngineHost
{
    public static IHost Create(NodeEngineOptions options, Action<HostApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            throw new ArgumentException("DataDir is required.", nameof(options));
        }

        Directory.CreateDirectory(options.DataDir);

        // Empty builder: the CLI has already layered the configuration into the options; no appsettings or env here.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "canopy-node",
            ContentRootPath = options.DataDir,
        });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });

        // Stopping instances (StopInstancesOnShutdown) takes up to their grace period; offline + disconnect a few seconds.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.StopGracePeriod + TimeSpan.FromSeconds(10));

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton<NodeReadiness>();
        services.AddSingleton<ResourceMonitor>();
        services.AddSingleton<NodeFacts>();
        services.AddSingleton(_ => CgroupLayout.Detect());
        RuntimeCatalog.AddRuntimes(services);
        services.AddSingleton<NodeInstances>();
        services.AddSingleton(sp => new NodeNetManager(
            options, sp.GetRequiredService<NodeFacts>(), sp.GetRequiredService<NodeSubnet>(), sp.GetRequiredService<HostNetwork>(),
            new NodeNetwork(sp.GetRequiredService<ILogger<NodeNetwork>>()), sp.GetRequiredService<InstanceHosts>(), sp.GetRequiredService<ILogger<NodeNetManager>>()));
        services.AddSingleton<NodeIdentityStore>();
        services.AddSingleton<ClusterTrust>();
        services.AddSingleton<ClusterRegistrar>();
        services.AddHostedService<NodeEngineWorker>();

        configure?.Invoke(builder);
        return builder.Build();
    }
}
