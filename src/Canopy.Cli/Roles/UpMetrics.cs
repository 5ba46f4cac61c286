using Canopy.Cluster;
using Canopy.Hosting;
using Canopy.Hosting.Metrics;
using Canopy.Root;
using Microsoft.Extensions.Configuration;

namespace Canopy.Cli.Roles;

/// <summary>
/// <c>/metrics</c> under <c>canopy up</c>: scrapes from this machine need no token (one user, every tier on loopback), and root and
/// cluster share one scrape token (the root's <c>metrics-token</c>) so a Prometheus elsewhere needs only one.
/// </summary>
internal static class UpMetrics
{
    /// <returns>The file that holds the token, or null when it is configured (CANOPY_METRICS_TOKEN).</returns>
    public static string? Configure(RootOptions root, ClusterOptions cluster, IConfiguration config)
    {
        root.Metrics.LoopbackWithoutToken |= config["Root:Metrics:LoopbackWithoutToken"] is null;
        cluster.Metrics.LoopbackWithoutToken |= config["Cluster:Metrics:LoopbackWithoutToken"] is null;
        if (!string.IsNullOrWhiteSpace(root.Metrics.ScrapeToken))
        {
            cluster.Metrics.ScrapeToken ??= root.Metrics.ScrapeToken;
            return null;
        }

        var file = Path.Combine(root.DataDir, ScrapeToken.FileName);
        if (string.IsNullOrWhiteSpace(cluster.Metrics.ScrapeToken))
        {
            cluster.Metrics.ScrapeToken = TokenFile.LoadOrCreate(file, ScrapeToken.Prefix).Token;
        }

        return file;
    }
}
