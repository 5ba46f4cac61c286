using Microsoft.Extensions.Configuration;

namespace Canopy.Cli.Roles;

/// <summary>
/// Configuration of a role, lowest to highest precedence: built-in defaults, a JSON config file (<c>--config</c>),
/// <c>CANOPY_*</c> environment variables (<c>CANOPY_Cluster__Name</c>, plus the short forms <c>CANOPY_DATA_DIR</c>,
/// <c>CANOPY_ADMIN_PASSWORD</c>, <c>CANOPY_JOIN_TOKEN</c>), then command-line flags.
/// </summary>
internal static class RoleConfiguration
{
    private static readonly (string Env, string Key)[] ShortForms =
    [
        ("CANOPY_DATA_DIR", "DataDir"),
        ("CANOPY_ADMIN_PASSWORD", "Root:AdminPassword"),
        ("CANOPY_CLUSTER_JOIN_TOKEN", "Root:ClusterJoinToken"),
        ("CANOPY_NODE_JOIN_TOKEN", "Cluster:NodeJoinToken"),
        ("CANOPY_ROOT_URL", "Cluster:RootUrl"),
        ("CANOPY_CLUSTER_URL", "Node:ClusterUrl"),
    ];

    public static IConfiguration Build(string? configFile, IReadOnlyDictionary<string, string?> flags)
    {
        if (configFile is not null && !File.Exists(configFile))
        {
            throw new CliException($"Config file not found: {configFile}", ExitCodes.InvalidInput);
        }

        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }

        builder.AddEnvironmentVariables("CANOPY_");
        builder.AddInMemoryCollection(ShortForms
            .Where(s => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(s.Env)))
            .Select(s => KeyValuePair.Create(s.Key, Environment.GetEnvironmentVariable(s.Env))));
        builder.AddInMemoryCollection(flags.Where(f => f.Value is not null));
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"Config file {configFile} is not valid JSON: {e.Message}", ExitCodes.InvalidInput);
        }
    }

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

    public static string DefaultDataDir() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".canopy");
}
