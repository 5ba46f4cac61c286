using Canopy.Cluster.Auth;
using Canopy.Cluster.Broker;
using Canopy.Cluster.Broker.KeepAlive;
using Canopy.Cluster.Instances;
using Canopy.Cluster.Net;
using Canopy.Cluster.Nodes;
using Canopy.Cluster.Placement;
using Canopy.Cluster.RootLink;
using Canopy.Cluster.Storage;
using Canopy.Cluster.Tls;
using Canopy.Hosting;
using Canopy.Hosting.Tls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Canopy.Cluster;

internal static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// The cluster's services. Hosted services start in this order (broker first: everything talks through it) and stop in reverse
    /// (root link first, broker last).
    /// </summary>
    public static IServiceCollection AddCanopyCluster(this IServiceCollection services, ClusterOptions options)
    {
        services.AddCanopyApiDefaults();
        ClusterAuthentication.AddClusterAuthentication(services);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton<ClusterReadiness>();
        services.AddSingleton<ClusterTraffic>();
        services.AddSingleton<IClusterStore>(sp => ClusterStore.Open(options.DataDir, sp.GetRequiredService<TimeProvider>(), options.Store));

        services.AddSingleton(sp => new ClusterTls(options, sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        services.AddSingleton(new MosquittoFiles(options.DataDir));
        services.AddSingleton<MosquittoProcess>();
        services.AddSingleton<BrokerUsers>();
        services.AddSingleton<BrokerService>();

        services.AddSingleton<ClusterGate>();
        services.AddSingleton<RootOutbox>();
        services.AddSingleton<NetChanges>();
        services.AddSingleton<NetTableHolds>();
        services.AddSingleton<NodeSubnets>();
        services.AddSingleton<InstanceTracker>();
        services.AddSingleton<NodeMessageRates>();
        services.AddSingleton<NodeRegistrationRates>();
        services.AddSingleton<RegistrationTimings>();
        services.AddSingleton<NodeReadings>();
        services.AddSingleton<ClusterMqtt>();
        services.AddSingleton<NodeCommands>();
        services.AddSingleton<LogRequests>();
        services.AddSingleton<SchedulerSignal>();
        services.AddSingleton<ClusterScheduler>();
        services.AddSingleton<NodeLiveness>();
        services.AddSingleton<NodeHealth>();
        services.AddSingleton<HeartbeatWrites>();
        services.AddSingleton<NodeReports>();
        services.AddSingleton<InventoryReconciler>();
        services.AddSingleton<NodeJoinTokens>();
        services.AddSingleton<NodeRegistry>();
        services.AddSingleton<RootTrust>();
        services.AddSingleton<RootAddresses>();
        services.AddSingleton<RootRegistration>();
        services.AddSingleton<RootCommands>();
        services.AddSingleton<RootLinkSession.Factory>(sp =>
            (socket, clusterId) => ActivatorUtilities.CreateInstance<RootLinkSession>(sp, socket, clusterId));

        services.AddHostedService(sp => sp.GetRequiredService<BrokerService>());
        services.AddHostedService<KeepAliveWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterMqtt>());
        services.AddHostedService<NodeMessageDispatcher>();
        services.AddHostedService<FailureDetector>();
        services.AddHostedService(sp => sp.GetRequiredService<HeartbeatWrites>());
        services.AddHostedService<PlacementRetryLoop>();
        services.AddHostedService<NetTablePublisher>();
        services.AddHostedService<RootLinkService>();
        if (options.Listener() is { } listener)
        {
            services.AddCertificateRenewal(sp => sp.GetRequiredService<ClusterTls>().Server, listener, "cluster", "node join tokens carry it", options.CertificateCheckInterval);
        }

        // Stopping the broker child must not be cut short.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        return services;
    }
}
