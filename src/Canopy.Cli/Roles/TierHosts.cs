using Canopy.Cluster;
using Canopy.NodeEngine;
using Canopy.NodeRole;
using Canopy.Root;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cli.Roles;

/// <summary>Builds each tier's host with the CLI's logging and lifetime; the tiers know nothing of the CLI.</summary>
internal static class TierHosts
{
    /// <summary>Set while `up` stops its tiers: a lower tier then sees its parent go away, which is expected, not worth a warning.</summary>
    public static volatile bool Stopping;

    /// <summary>
    /// Set while a host starts: a start that fails is reported once, as a clear error, by the command that started it; the
    /// host's own "Hosting failed to start" line would repeat it with a stack trace.
    /// </summary>
    public static volatile bool Starting;

    public static WebApplication Root(RootOptions options, LogLevel level)
    {
        try
        {
            return RootApplication.Create(options, b => Configure(b.Services, b.Logging, level, "root"));
        }
        catch (ArgumentException e)
        {
            throw new CliException($"Invalid root setting: {e.Message}", ExitCodes.InvalidInput);
        }
    }

    public static WebApplication Cluster(ClusterOptions options, LogLevel level) =>
        ClusterApplication.Create(options, b => Configure(b.Services, b.Logging, level, "cluster"));

    public static IHost Node(NodeEngineOptions options, LogLevel level) =>
        NodeEngineHost.Create(options, b => Configure(b.Services, b.Logging, level, "node"));

    private static void Configure(IServiceCollection services, ILoggingBuilder logging, LogLevel level, string tier)
    {
        services.AddSingleton<IHostLifetime, ExternalLifetime>();
        RoleLogging.Configure(logging, level, tier, () => Stopping, () => Starting);
    }
}
