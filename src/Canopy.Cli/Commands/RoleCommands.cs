using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using Canopy.Cli.Client;
using Canopy.Cli.Roles;
using Canopy.Cluster;
using Canopy.Cluster.Auth;
using Canopy.Cluster.Tls;
using Canopy.Hosting;
using Canopy.NodeEngine;
using Canopy.NodeRole;
using Canopy.Root;
using Canopy.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cli.Commands;

/// <summary><c>canopy up | root | cluster | node</c>: run the tiers. Flags override <c>CANOPY_*</c> variables, which override a <c>--config</c> file.</summary>
public static class RoleCommands
{
    // Shared with the node role (and canopy-node), which owns their definitions.
    private static readonly Option<string?> DataDir = NodeCommandLine.DataDir;
    private static readonly Option<string?> ConfigFile = NodeCommandLine.ConfigFile;
    private static readonly Option<LogLevel?> LogLevelOption = NodeCommandLine.LogLevelOption;
    private static readonly Option<string?> Scheduler = new("--scheduler") { Description = "(scheduling) best-fit, first-fit, round-robin or epvm" };
    private static readonly Option<string?> ContainerdSocket = NodeCommandLine.ContainerdSocket;
    private static readonly Option<bool> NoContainers = NodeCommandLine.NoContainers;
    private static readonly Option<bool> ExecAsRoot = NodeCommandLine.ExecAsRoot;
    private static readonly Option<bool> AllowPrivileged = NodeCommandLine.AllowPrivileged;
    private static readonly Option<bool> OverlayEncryption = new("--overlay-encryption") { Description = "(cluster) Carry the nodes' overlay traffic through WireGuard (wireguard-go on each node)" };
    private static readonly Option<string[]> CorsOrigin = new("--cors-origin")
    {
        Description = "(listener) Browser origin whose pages may call the root API, e.g. Oakestra's dashboard at http://host:80; repeatable; * allows any",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<bool> InsecureHttp = new("--insecure-http")
    {
        Description = "(listener) Serve the root API over plain HTTP (for clients that speak only HTTP, such as Oakestra's); loopback only unless --insecure-http-on-network",
    };

    private static readonly Option<bool> InsecureHttpOnNetwork = new("--insecure-http-on-network")
    {
        Description = "(listener) With --insecure-http, allow plain HTTP on an address other machines reach (tokens and passwords in the clear)",
    };

    private static readonly Option<string?> Store = new("--store")
    {
        Description = "(store) Where the store lives: SQLite in the data dir by default; postgres://user:password@host:port/database for PostgreSQL [or $CANOPY_STORE]",
    };

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    public static Command Up()
    {
        var bind = new Option<string>("--bind") { Description = "(listener) Address every tier listens on", DefaultValueFactory = _ => "127.0.0.1" };
        var rootPort = new Option<int>("--root-port") { Description = "(listener) Root API port", DefaultValueFactory = _ => 10000 };
        var clusterPort = new Option<int>("--cluster-port") { Description = "(listener) Cluster API port", DefaultValueFactory = _ => 10100 };
        var mqttPort = new Option<int>("--mqtt-port") { Description = "(listener) Port of the cluster's Mosquitto", DefaultValueFactory = _ => 10003 };
        var adminPassword = new Option<string?>("--admin-password") { Description = "(auth) Admin password on first start [default: generated, or $CANOPY_ADMIN_PASSWORD]" };
        var clusterName = new Option<string?>("--cluster-name") { Description = "(cluster) Name of the embedded cluster [default: cluster-1]" };
        var nodeName = new Option<string?>("--node-name") { Description = "(node) Name of the embedded node [default: host name]" };
        var command = new Command("up", "Run root, one cluster and one node on this machine, in one process (Mosquitto as a child)")
        {
            DataDir, ConfigFile, LogLevelOption, Scheduler, Store, bind, rootPort, clusterPort, mqttPort, adminPassword, clusterName, nodeName,
            ContainerdSocket, NoContainers, CorsOrigin, ExecAsRoot, AllowPrivileged, OverlayEncryption, InsecureHttp, InsecureHttpOnNetwork,
        };
        command.Handle(async (parse, ct) =>
        {
            var started = Stopwatch.StartNew();
            var dataDir = Path.GetFullPath(parse.GetValue(DataDir) ?? Environment.GetEnvironmentVariable("CANOPY_DATA_DIR") ?? RoleConfiguration.DefaultDataDir());
            var tokens = JoinTokens.LoadOrCreate(dataDir);
            var host = parse.GetValue(bind)!;
            var rootUrl = $"{(parse.GetValue(InsecureHttp) ? "http" : "https")}://{host}:{parse.GetValue(rootPort)}";
            var clusterUrl = $"https://{host}:{parse.GetValue(clusterPort)}";
            var config = RoleConfiguration.Build(parse.GetValue(ConfigFile), new Dictionary<string, string?>
            {
                ["Root:DataDir"] = Path.Combine(dataDir, "root"),
                ["Root:Store"] = parse.GetValue(Store),
                ["Root:Listen"] = rootUrl,
                ["Root:ClusterJoinToken"] = tokens.ClusterJoinToken,
                ["Root:AdminPassword"] = parse.GetValue(adminPassword),
                ["Root:SchedulingAlgorithm"] = parse.GetValue(Scheduler),
                ["Root:InsecureHttp"] = parse.GetValue(InsecureHttp) ? "true" : null,
                ["Root:InsecureHttpOnNetwork"] = parse.GetValue(InsecureHttpOnNetwork) ? "true" : null,
                ["Cluster:DataDir"] = Path.Combine(dataDir, "cluster"),

                // The embedded cluster serves this machine only: its store stays SQLite (--store and CANOPY_STORE are the root's here).
                ["Cluster:Store"] = "",
                ["Cluster:Listen"] = clusterUrl,
                ["Cluster:RootUrl"] = rootUrl,
                ["Cluster:RootJoinToken"] = tokens.ClusterJoinToken,
                ["Cluster:NodeJoinToken"] = tokens.NodeJoinToken,
                ["Cluster:Name"] = parse.GetValue(clusterName),
                ["Cluster:SchedulingAlgorithm"] = parse.GetValue(Scheduler),
                ["Cluster:OverlayEncryption"] = parse.GetValue(OverlayEncryption) ? "true" : null,
                ["Cluster:Mqtt:ListenHost"] = host,
                ["Cluster:Mqtt:AdvertisedHost"] = host,
                ["Cluster:Mqtt:Port"] = parse.GetValue(mqttPort).ToString(),
                ["Node:DataDir"] = Path.Combine(dataDir, "node"),
                ["Node:ClusterUrl"] = clusterUrl,
                ["Node:JoinToken"] = tokens.NodeJoinToken,
                ["Node:Name"] = parse.GetValue(nodeName),
                ["Node:StopInstancesOnShutdown"] = "true",
                ["Node:ContainerdSocket"] = parse.GetValue(ContainerdSocket),
                ["Node:StartContainerd"] = parse.GetValue(NoContainers) ? "false" : null,
                ["Node:ExecAsRoot"] = parse.GetValue(ExecAsRoot) ? "true" : null,
                ["Node:AllowPrivileged"] = parse.GetValue(AllowPrivileged) ? "true" : null,
            }.WithCorsOrigins(parse.GetValue(CorsOrigin)));
            var level = parse.GetValue(LogLevelOption) ?? LogLevel.Warning;
            var rootOptions = RoleConfiguration.Bind(config, "Root", new RootOptions { DataDir = "" });

            // Everything listens on this machine only: its own pages (a dashboard on localhost) may call the API unless configured otherwise.
            rootOptions.CorsAllowLoopback |= config["Root:CorsAllowLoopback"] is null && IsLoopback(host);
            var clusterOptions = RoleConfiguration.Bind(config, "Cluster", new ClusterOptions { DataDir = "" });
            var nodeOptions = RoleConfiguration.Bind(config, "Node", new NodeEngineOptions { DataDir = "" });
            var scrapeTokenFile = UpMetrics.Configure(rootOptions, clusterOptions, config);

            await using var tiers = new TierSet();
            var readiness = new UpReadiness();
            var root = await StartAsync(tiers, () => TierHosts.Root(rootOptions, level), "root", ct,
                r => readiness.Register(r.Services.GetRequiredService<Readiness>(), clusterOptions.Name, nodeOptions.Name ?? Environment.MachineName));

            // The embedded cluster joins like a remote one: with the root's CA pin after the secret, checked before it sends anything.
            var rootPin = root.Services.GetRequiredService<CertificateAuthority>().Pin;
            if (clusterOptions.RootJoinToken == tokens.ClusterJoinToken)
            {
                clusterOptions.RootJoinToken = JoinToken.Format(tokens.ClusterJoinToken, rootPin);
            }

            var cliConfig = PinForCli(rootUrl, rootPin);
            var cluster = await StartAsync(tiers, () => TierHosts.Cluster(clusterOptions, level), "cluster", ct,
                c => readiness.Cluster = c.Services.GetRequiredService<ClusterReadiness>());
            var clusterPin = cluster.Services.GetRequiredService<ClusterTls>().Pin;
            nodeOptions.JoinToken = NodeJoinTokenFor(nodeOptions.JoinToken, clusterOptions, clusterPin);

            // The cluster takes nodes once the root gave it their subnets: a node started earlier is refused (503) and retries, with warnings on a first start.
            await WaitAsync(readiness.Cluster!.Registered, "the cluster to register at the root", ct);
            await StartAsync(tiers, () => TierHosts.Node(nodeOptions, level), "node", ct,
                n => readiness.Node = n.Services.GetRequiredService<NodeReadiness>());
            await WaitAsync(readiness.Node!.Connected, "the node to join the cluster", ct);

            var admin = root.Services.GetRequiredService<AdminBootstrap>();
            Console.Out.WriteLine($"Canopy is up ({started.Elapsed.TotalSeconds:0.0} s).");
            Console.Out.WriteLine($"  API:        {rootUrl}   (docs: {rootUrl}/api/docs)");
            Console.Out.WriteLine($"  Root CA:    {rootPin}");
            Console.Out.WriteLine(cliConfig is null
                ? "              (could not pin it in the CLI config; pass it to canopy login --ca-fingerprint)"
                : $"              pinned for {rootUrl} in {cliConfig}; elsewhere: canopy login --ca-fingerprint {rootPin}");
            Console.Out.WriteLine($"  Cluster:    {clusterOptions.Name} at {clusterUrl}, MQTT {host}:{clusterOptions.Mqtt.Port}");
            Console.Out.WriteLine($"              its API takes an Admin's token, or its own admin token: {cluster.Services.GetRequiredService<ClusterAdminToken>().File}");
            Console.Out.WriteLine($"              its CA (nodes' join tokens carry it): {clusterPin}");
            Console.Out.WriteLine($"  Node:       {nodeOptions.Name ?? Environment.MachineName}");
            Console.Out.WriteLine($"  Metrics:    {rootUrl}/metrics, {clusterUrl}/metrics (the node's series too); from this machine without a token,");
            Console.Out.WriteLine($"              elsewhere with 'Authorization: Bearer <token>', the token in {scrapeTokenFile ?? "CANOPY_METRICS_TOKEN"}");
            Console.Out.WriteLine($"  Data dir:   {dataDir}");
            Console.Out.WriteLine($"  Admin user: {admin.UserName}");
            if (admin.InitialPassword is not null)
            {
                Console.Out.WriteLine($"  Password:   {admin.InitialPassword}   (shown on this first start only; also in {admin.PasswordFile})");
            }

            Console.Out.WriteLine($"Log in with: canopy login --server {rootUrl} -u {admin.UserName}");
            Console.Out.WriteLine("Press Ctrl-C to stop.");
            readiness.Started = true;
            await WaitForStopAsync(ct);
            Console.Out.WriteLine("Stopping...");
            TierHosts.Stopping = true;
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Root()
    {
        var listen = new Option<string?>("--listen") { Description = "(listener) URL the API listens on [default: https://127.0.0.1:10000]" };
        var token = new Option<string?>("--cluster-join-token") { Description = "(auth) Token clusters must present to register" };
        var adminPassword = new Option<string?>("--admin-password") { Description = "(auth) Admin password on first start [default: generated]" };
        var replicaOf = new Option<string?>("--replica-of")
        {
            Description = "(replicas) Data dir of another replica of this root (or a copy of its pki/ca.crt, pki/ca.key, secrets.key): a new replica takes its CA and secrets key",
        };
        var replicaUrl = new Option<string[]>("--replicas")
        {
            Description = "(replicas) URL of every replica of this root, this one's included; a comma list or repeated. Told to clusters for failover, and in the certificate",
        };
        var command = new Command("root", "Run the root orchestrator alone (public API, root scheduler, cluster links)")
        {
            DataDir, ConfigFile, LogLevelOption, Scheduler, Store, listen, token, adminPassword, CorsOrigin, InsecureHttp, InsecureHttpOnNetwork, replicaOf, replicaUrl,
        };
        command.Handle(async (parse, ct) =>
        {
            var config = RoleConfiguration.Build(parse.GetValue(ConfigFile), new Dictionary<string, string?>
            {
                ["Root:DataDir"] = parse.GetValue(DataDir),
                ["Root:Store"] = parse.GetValue(Store),
                ["Root:Listen"] = parse.GetValue(listen),
                ["Root:ClusterJoinToken"] = parse.GetValue(token),
                ["Root:AdminPassword"] = parse.GetValue(adminPassword),
                ["Root:SchedulingAlgorithm"] = parse.GetValue(Scheduler),
                ["Root:InsecureHttp"] = parse.GetValue(InsecureHttp) ? "true" : null,
                ["Root:InsecureHttpOnNetwork"] = parse.GetValue(InsecureHttpOnNetwork) ? "true" : null,
                ["Root:ReplicaOf"] = parse.GetValue(replicaOf),
            }.WithCorsOrigins(parse.GetValue(CorsOrigin)).WithList("Root:ReplicaUrls", Split(parse.GetValue(replicaUrl))));
            var options = RoleConfiguration.Bind(config, "Root", new RootOptions { DataDir = DataDirOf(config, "root") });
            await using var tiers = new TierSet();
            var root = await StartAsync(tiers, () => TierHosts.Root(options, parse.GetValue(LogLevelOption) ?? LogLevel.Information), "root", ct);
            var admin = root.Services.GetRequiredService<AdminBootstrap>();
            Console.Out.WriteLine($"Root API at {options.Listen} (docs: {options.Listen}/api/docs). Admin user: {admin.UserName}");
            Console.Out.WriteLine($"Root CA fingerprint: {root.Services.GetRequiredService<CertificateAuthority>().Pin}   (canopy login --ca-fingerprint; cluster join tokens carry it)");
            if (admin.InitialPassword is not null)
            {
                Console.Out.WriteLine($"Admin password: {admin.InitialPassword}   (first start only; also in {admin.PasswordFile})");
            }

            await WaitForStopAsync(ct);
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Cluster()
    {
        var listen = new Option<string?>("--listen") { Description = "(listener) URL the cluster API listens on [default: https://127.0.0.1:10100]" };
        var insecureHttp = new Option<bool>("--insecure-http") { Description = "(listener) Allow an http:// --listen on loopback: node tokens and broker passwords in the clear" };
        var insecureOnNetwork = new Option<bool>("--insecure-http-on-network") { Description = "(listener) With --insecure-http: allow it on a network address too" };
        var root = new Option<string[]>("--root")
        {
            Description = "(cluster) Root URL [default: https://127.0.0.1:10000]; for root replicas each one's URL, repeated or as a comma list",
        };
        var token = new Option<string?>("--join-token") { Description = "(auth) Cluster join token issued by the root (<secret>.sha256:<root CA pin>)" };
        var rootCa = new Option<string?>("--root-ca-fingerprint") { Description = "(auth) The root's CA fingerprint, when the join token carries none" };
        var nodeToken = new Option<string?>("--node-join-token") { Description = "(auth) Token nodes must present to join this cluster" };
        var name = new Option<string?>("--name") { Description = "(cluster) Cluster name [default: cluster-1]" };
        var location = new Option<string?>("--location") { Description = "(cluster) Location as LAT,LON" };
        var mqttPort = new Option<int?>("--mqtt-port") { Description = "(mqtt) Port of the Mosquitto the cluster starts [default: 10003]" };
        var mqttHost = new Option<string?>("--mqtt-host") { Description = "(mqtt) Address Mosquitto listens on [default: 127.0.0.1]" };
        var mqttAdvertise = new Option<string?>("--mqtt-advertise") { Description = "(mqtt) Broker address told to nodes [default: 127.0.0.1]" };
        var movedFrom = new Option<string?>("--replica-of")
        {
            Description = "(move) Data dir of this cluster on its old machine (or a copy of its pki/ca.crt, pki/ca.key, secrets.key, admin-token), with --store on its database",
        };
        var command = new Command("cluster", "Run a cluster orchestrator alone (node registry, Mosquitto, cluster scheduler, link to the root)")
        {
            DataDir, ConfigFile, LogLevelOption, Scheduler, Store, listen, root, token, rootCa, nodeToken, name, location, mqttPort, mqttHost, mqttAdvertise,
            OverlayEncryption, insecureHttp, insecureOnNetwork, movedFrom,
        };
        command.Handle(async (parse, ct) =>
        {
            var config = RoleConfiguration.Build(parse.GetValue(ConfigFile), new Dictionary<string, string?>
            {
                ["Cluster:DataDir"] = parse.GetValue(DataDir),
                ["Cluster:Store"] = parse.GetValue(Store),
                ["Cluster:Listen"] = parse.GetValue(listen),
                ["Cluster:RootUrl"] = Split(parse.GetValue(root)) is { Length: > 0 } roots ? string.Join(',', roots) : null,
                ["Cluster:RootJoinToken"] = parse.GetValue(token),
                ["Cluster:RootCaPin"] = parse.GetValue(rootCa),
                ["Cluster:NodeJoinToken"] = parse.GetValue(nodeToken),
                ["Cluster:Name"] = parse.GetValue(name),
                ["Cluster:Location"] = parse.GetValue(location),
                ["Cluster:SchedulingAlgorithm"] = parse.GetValue(Scheduler),
                ["Cluster:Mqtt:Port"] = parse.GetValue(mqttPort)?.ToString(),
                ["Cluster:Mqtt:ListenHost"] = parse.GetValue(mqttHost),
                ["Cluster:Mqtt:AdvertisedHost"] = parse.GetValue(mqttAdvertise),
                ["Cluster:OverlayEncryption"] = parse.GetValue(OverlayEncryption) ? "true" : null,
                ["Cluster:InsecureHttp"] = parse.GetValue(insecureHttp) ? "true" : null,
                ["Cluster:InsecureHttpOnNetwork"] = parse.GetValue(insecureOnNetwork) ? "true" : null,
                ["Cluster:ReplicaOf"] = parse.GetValue(movedFrom),
            });
            var options = RoleConfiguration.Bind(config, "Cluster", new ClusterOptions { DataDir = DataDirOf(config, "cluster") });
            await using var tiers = new TierSet();
            var cluster = await StartAsync(tiers, () => TierHosts.Cluster(options, parse.GetValue(LogLevelOption) ?? LogLevel.Information), "cluster", ct);
            Console.Out.WriteLine($"Cluster {options.Name} API at {options.Listen}, MQTT {options.Mqtt.ListenHost}:{options.Mqtt.Port}; registering at {string.Join(", ", options.RootAddresses())}.");
            var pin = cluster.Services.GetRequiredService<ClusterTls>().Pin;
            Console.Out.WriteLine($"Its CA: {pin}" + (options.NodeJoinToken.Length > 0
                ? $"; nodes join with --join-token {NodeJoinTokenFor(options.NodeJoinToken, options, pin)}"
                : "; node join tokens from `canopy token create node` carry it"));
            var admin = cluster.Services.GetRequiredService<ClusterAdminToken>();
            Console.Out.WriteLine(admin.InitialToken is { } initial
                ? $"Admin token of its API: {initial}   (first start only; also in {admin.File}; a root Admin's token works too)"
                : $"Admin token of its API in {admin.File} (a root Admin's token works too)");
            await WaitForStopAsync(ct);
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Node()
    {
        var command = new Command("node", "Run a node engine alone: joins a cluster and runs its instances (the native canopy-node when it sits next to canopy)");
        foreach (var option in NodeCommandLine.All)
        {
            command.Options.Add(option);
        }

        var simulate = new Option<int>("--simulate")
        {
            Description = "(scale runs) Run N simulated node engines in this process instead (real registration, credentials and MQTT over TLS; instances only as state); stdin: kill A[-B], revive A[-B], status",
        };
        command.Options.Add(simulate);
        command.Handle(async (parse, ct) =>
        {
            // The native node engine, when installed beside this executable, takes over this process (same pid, same flags);
            // the simulator is this executable's alone.
            if (parse.GetValue(simulate) <= 0 && NativeNode.Find() is { } native)
            {
                NativeNode.Exec(native, parse.Tokens.SkipWhile(t => t.Type != TokenType.Command || t.Value != "node").Skip(1).Select(t => t.Value));
            }

            var options = NodeRoleErrors.AsCliErrors(() => NodeCommandLine.Options(parse, RoleConfiguration.ShortForms));
            if (parse.GetValue(NodeCommandLine.Leave))
            {
                var quiet = parse.GetValue(LogLevelOption) ?? LogLevel.Warning;
                return await NodeRoleErrors.AsCliErrorsAsync(() => NodeLeaveCommand.RunAsync(options, () => TierHosts.Node(options, quiet), ct));
            }

            if (parse.GetValue(simulate) is > 0 and var count)
            {
                return await NodeSimulation.RunAsync(options, count, parse.GetValue(LogLevelOption) ?? LogLevel.Warning, ct);
            }

            await using var tiers = new TierSet();
            await StartAsync(tiers, () => TierHosts.Node(options, NodeCommandLine.LogLevel(parse)), "node", ct);
            Console.Out.WriteLine($"Node engine {options.NodeName} joining {options.ClusterUrl}.");
            await WaitForStopAsync(ct);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A node join token with the cluster's CA pin, unless it has one or the cluster speaks plain HTTP (then nothing to pin).</summary>
    private static string NodeJoinTokenFor(string token, ClusterOptions cluster, string pin) =>
        token.Length == 0 || Canopy.Security.JoinToken.Parse(token).CaPin is not null || new Uri(cluster.Listen).Scheme != Uri.UriSchemeHttps
            ? token
            : Canopy.Security.JoinToken.Format(token, pin);

    /// <summary>
    /// Remembers the root's CA for <paramref name="rootUrl"/> in the CLI config, so that <c>canopy login</c> after <c>canopy up</c>
    /// asks nothing more than before; the config's path, or null when it could not be written (the banner says what to do).
    /// </summary>
    private static string? PinForCli(string rootUrl, string pin)
    {
        if (!rootUrl.StartsWith("https://", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var config = CliConfig.Load();
            config.Pin(rootUrl, pin);
            config.Save();
            return CliConfig.Path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CliException)
        {
            return null;
        }
    }

    /// <summary>Repeated <c>--cors-origin</c> flags as the configuration array <c>Root:CorsOrigins</c>.</summary>
    private static Dictionary<string, string?> WithCorsOrigins(this Dictionary<string, string?> flags, string[]? origins) =>
        flags.WithList("Root:CorsOrigins", origins);

    /// <summary>A repeatable flag as a configuration list (<c>key:0</c>, <c>key:1</c>, ...); only when given, so config and env still apply.</summary>
    private static Dictionary<string, string?> WithList(this Dictionary<string, string?> flags, string key, IReadOnlyList<string>? values)
    {
        for (var i = 0; i < (values?.Count ?? 0); i++)
        {
            flags[$"{key}:{i}"] = values![i];
        }

        return flags;
    }

    /// <summary>Repeated values and comma lists alike (<c>--root A --root B</c> or <c>--root A,B</c>).</summary>
    private static string[] Split(string[]? values) =>
        [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    private static bool IsLoopback(string host) => Hosting.Tls.ApiListener.IsLoopbackHost(host);

    private static string DataDirOf(IConfiguration config, string tier) => LayeredConfiguration.DataDirOf(config, tier);

    /// <summary>
    /// Builds (opening its store) and starts a tier, <paramref name="prepare"/> in between; either failing stops the tiers
    /// already running and says why.
    /// </summary>
    private static async Task<T> StartAsync<T>(TierSet tiers, Func<T> create, string tier, CancellationToken ct, Action<T>? prepare = null)
        where T : IHost
    {
        try
        {
            var host = tiers.Add(create(), tier);
            prepare?.Invoke(host);
            TierHosts.Starting = true;
            await host.StartAsync(ct);
            return host;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await tiers.DisposeAsync();
            throw new CliException($"The {tier} did not start: {Describe(e)}", ExitCodes.StartFailed);
        }
        finally
        {
            TierHosts.Starting = false;
        }
    }

    private static async Task WaitAsync(Task ready, string what, CancellationToken ct)
    {
        try
        {
            await ready.WaitAsync(ReadyTimeout, ct);
        }
        catch (TimeoutException)
        {
            throw new CliException($"Timed out after {ReadyTimeout.TotalSeconds:0} s waiting for {what}; rerun with --log-level Information to see why.", ExitCodes.Timeout);
        }
    }

    private static async Task WaitForStopAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string Describe(Exception e)
    {
        var inner = e;
        while (inner is AggregateException { InnerException: { } next })
        {
            inner = next;
        }

        return inner.Message;
    }
}
