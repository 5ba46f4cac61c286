using System.CommandLine;
using Canopy.NodeEngine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeRole;

/// <summary>
/// The flags of <c>canopy node</c>, which <c>canopy-node</c> takes as they are; the CLI's other roles share the first ones.
/// Flags override <c>CANOPY_*</c> variables, which override a <c>--config</c> file.
/// </summary>
public static class NodeCommandLine
{
    public static readonly Option<string?> DataDir = new("--data-dir", "-d") { Description = "(storage) Where state is kept [default: ~/.canopy, or $CANOPY_DATA_DIR]" };
    public static readonly Option<string?> ConfigFile = new("--config") { Description = "(config) JSON file with Root/Cluster/Node sections; flags win over it" };
    public static readonly Option<LogLevel?> LogLevelOption = new("--log-level") { Description = "(logging) Trace, Debug, Information, Warning, Error" };
    public static readonly Option<string?> ContainerdSocket = new("--containerd-socket") { Description = "(runtimes) Use this existing containerd (CRI) instead of starting Canopy's own" };
    public static readonly Option<bool> NoContainers = new("--no-containers") { Description = "(runtimes) Do not start containerd: the node runs only exec services" };
    public static readonly Option<bool> ExecAsRoot = new("--exec-as-root") { Description = "(node) Let exec workloads run as root on this node (default: an unprivileged user of their own)" };
    public static readonly Option<bool> AllowPrivileged = new("--allow-privileged") { Description = "(node) Let containers on this node ask for privileged mode or host namespaces (default: refused)" };

    private static readonly Option<string?> Cluster = new("--cluster")
    {
        Description = "(node) Cluster URL [default: https://127.0.0.1:10100]; a comma list for a cluster that may move (its machine, its standby)",
    };
    private static readonly Option<string?> Token = new("--join-token") { Description = "(auth) Node join token issued by the cluster: SECRET.sha256:PIN (the pin of the cluster's CA)" };
    private static readonly Option<string?> Name = new("--name") { Description = "(node) Node name [default: host name]" };
    private static readonly Option<string?> Location = new("--location") { Description = "(node) Location as LAT,LON" };
    private static readonly Option<string[]> Resources = new("--resource") { Description = "(node) Extra resource or label KEY=VALUE, repeatable (e.g. gpu_model=a2)", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<bool> StopOnExit = new("--stop-instances-on-exit") { Description = "(node) Stop instances when the node engine stops (default: leave them running, re-adopt on start)" };

    public static readonly Option<bool> Leave = new("--leave")
    {
        Description = "(node) Leave the cluster for good, then exit: its instances move elsewhere; this node's containers, containerd, bridge, CNI rules and data dir are removed",
    };

    /// <summary>Every option of the node role, in the order help lists them.</summary>
    public static IEnumerable<Option> All =>
        [DataDir, ConfigFile, LogLevelOption, Cluster, Token, Name, Location, Resources, StopOnExit, ContainerdSocket, NoContainers, ExecAsRoot, AllowPrivileged, Leave];

    public static LogLevel LogLevel(ParseResult parse) => parse.GetValue(LogLevelOption) ?? Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>The node's options from the config file, variables and flags of <paramref name="parse"/>, highest last.</summary>
    /// <exception cref="NodeRoleException">A flag, the config file or a setting is not valid.</exception>
    public static NodeEngineOptions Options(ParseResult parse, IEnumerable<(string Env, string Key)> shortForms)
    {
        var config = LayeredConfiguration.Build(parse.GetValue(ConfigFile), Flags(parse), shortForms);
        var options = new NodeEngineOptions { DataDir = LayeredConfiguration.DataDirOf(config, "node") };
        try
        {
            // A concrete type here, so the configuration binding generator binds it without reflection.
            config.GetSection("Node").Bind(options);
            CheckKeepAlive(options.KeepAlive);
            return options;
        }
        catch (InvalidOperationException e)
        {
            throw new NodeRoleException($"Invalid Node setting: {e.Message}", NodeRoleException.InvalidInput);
        }
    }

    /// <summary>MQTT carries the keep-alive in whole seconds; a fraction would be rounded up behind the operator's back.</summary>
    internal static void CheckKeepAlive(TimeSpan keepAlive)
    {
        if (keepAlive < TimeSpan.FromSeconds(1) || keepAlive > TimeSpan.FromSeconds(ushort.MaxValue) || keepAlive.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new NodeRoleException(
                $"Node:KeepAlive (CANOPY_KEEPALIVE) is {keepAlive}; it must be whole seconds from 00:00:01 to 18:12:15, e.g. 00:00:02.",
                NodeRoleException.InvalidInput);
        }
    }

    private static Dictionary<string, string?> Flags(ParseResult parse)
    {
        var flags = new Dictionary<string, string?>
        {
            ["Node:DataDir"] = parse.GetValue(DataDir),
            ["Node:ClusterUrl"] = parse.GetValue(Cluster),
            ["Node:JoinToken"] = parse.GetValue(Token),
            ["Node:Name"] = parse.GetValue(Name),
            ["Node:Location"] = parse.GetValue(Location),
            ["Node:StopInstancesOnShutdown"] = parse.GetValue(StopOnExit) ? "true" : null,
            ["Node:ContainerdSocket"] = parse.GetValue(ContainerdSocket),
            ["Node:StartContainerd"] = parse.GetValue(NoContainers) ? "false" : null,
            ["Node:ExecAsRoot"] = parse.GetValue(ExecAsRoot) ? "true" : null,
            ["Node:AllowPrivileged"] = parse.GetValue(AllowPrivileged) ? "true" : null,
        };
        foreach (var r in parse.GetValue(Resources) ?? [])
        {
            var eq = r.IndexOf('=');
            if (eq <= 0)
            {
                throw new NodeRoleException($"--resource '{r}' must be KEY=VALUE.", NodeRoleException.InvalidInput);
            }

            flags[$"Node:Resources:{r[..eq]}"] = r[(eq + 1)..];
        }

        return flags;
    }
}
