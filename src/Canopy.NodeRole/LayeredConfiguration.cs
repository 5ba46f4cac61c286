using Microsoft.Extensions.Configuration;

namespace Canopy.NodeRole;

/// <summary>
/// Configuration of a role, lowest to highest precedence: built-in defaults, a JSON config file (<c>--config</c>),
/// <c>CANOPY_*</c> environment variables (<c>CANOPY_Node__Name</c>, plus short forms such as <c>CANOPY_DATA_DIR</c>),
/// then command-line flags.
/// </summary>
public static class LayeredConfiguration
{
    /// <summary>The short forms the node reads; the CLI adds those of the other roles.</summary>
    public static readonly IReadOnlyList<(string Env, string Key)> NodeShortForms =
    [
        ("CANOPY_DATA_DIR", "DataDir"),
        ("CANOPY_CLUSTER_URL", "Node:ClusterUrl"),
        ("CANOPY_KEEPALIVE", "Node:KeepAlive"),
    ];

    /// <exception cref="NodeRoleException">The config file is missing or not JSON.</exception>
    public static IConfiguration Build(string? configFile, IReadOnlyDictionary<string, string?> flags, IEnumerable<(string Env, string Key)> shortForms)
    {
        if (configFile is not null && !File.Exists(configFile))
        {
            throw new NodeRoleException($"Config file not found: {configFile}", NodeRoleException.InvalidInput);
        }

        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }

        builder.AddEnvironmentVariables("CANOPY_");
        builder.AddInMemoryCollection(shortForms
            .Where(s => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(s.Env)))
            .Select(s => KeyValuePair.Create(s.Key, Environment.GetEnvironmentVariable(s.Env))));
        builder.AddInMemoryCollection(flags.Where(f => f.Value is not null));
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            throw new NodeRoleException($"Config file {configFile} is not valid JSON: {e.Message}", NodeRoleException.InvalidInput);
        }
    }

    public static string DefaultDataDir() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".canopy");

    /// <summary>The tier's directory under the configured <c>DataDir</c> (or the default one).</summary>
    public static string DataDirOf(IConfiguration config, string tier) =>
        Path.GetFullPath(config["DataDir"] is { Length: > 0 } d ? Path.Combine(d, tier) : Path.Combine(DefaultDataDir(), tier));
}
