using Canopy.NodeRole;
using Microsoft.Extensions.Configuration;

namespace Canopy.Cli.Roles;

/// <summary>
/// Configuration of a role, lowest to highest precedence: built-in defaults, a JSON config file (<c>--config</c>),
/// <c>CANOPY_*</c> environment variables (<c>CANOPY_Cluster__Name</c>, plus the short forms <c>CANOPY_DATA_DIR</c>,
/// <c>CANOPY_ADMIN_PASSWORD</c>, <c>CANOPY_JOIN_TOKEN</c>, <c>CANOPY_STORE</c>, <c>CANOPY_METRICS_TOKEN</c>), then command-line flags.
/// </summary>
internal static class RoleConfiguration
{
    /// <summary>The node's short forms (<see cref="LayeredConfiguration.NodeShortForms"/>) and those of the other roles.</summary>
    public static readonly (string Env, string Key)[] ShortForms =
    [
        .. LayeredConfiguration.NodeShortForms,
        ("CANOPY_ADMIN_PASSWORD", "Root:AdminPassword"),
        ("CANOPY_CLUSTER_JOIN_TOKEN", "Root:ClusterJoinToken"),
        ("CANOPY_NODE_JOIN_TOKEN", "Cluster:NodeJoinToken"),
        ("CANOPY_ROOT_URL", "Cluster:RootUrl"),
        ("CANOPY_STORE", "Root:Store"),
        ("CANOPY_STORE", "Cluster:Store"),
        ("CANOPY_METRICS_TOKEN", "Root:Metrics:ScrapeToken"),
        ("CANOPY_METRICS_TOKEN", "Cluster:Metrics:ScrapeToken"),
    ];

    public static IConfiguration Build(string? configFile, IReadOnlyDictionary<string, string?> flags) =>
        NodeRoleErrors.AsCliErrors(() => LayeredConfiguration.Build(configFile, flags, ShortForms));

    public static T Bind<T>(IConfiguration configuration, string section, T options)
    {
        try
        {
            configuration.GetSection(section).Bind(options);
            return options;
        }
        catch (InvalidOperationException e)
        {
            throw new CliException($"Invalid {section} setting: {e.Message}", ExitCodes.InvalidInput);
        }
    }

    public static string DefaultDataDir() => LayeredConfiguration.DefaultDataDir();
}
