using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Security;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>
/// `canopy root`, `canopy cluster` and `canopy node` as three processes on loopback (the way scripts/topology.sh starts them),
/// so that each tier's CPU and memory can be read on its own. With <c>tls: false</c> every link is plain: the root and the
/// cluster API with --insecure-http, Mosquitto's listener without TLS (CANOPY_Cluster__Mqtt__Tls=false). The node runs exec
/// only (--no-containers): containerd is its own process and does not change with TLS.
/// </summary>
internal sealed class SeparateTiers : IAsyncDisposable
{
    public const string AdminPassword = "bench-admin-password";
    private const string ClusterToken = "bench-cluster-token";
    private const string NodeToken = "bench-node-token";

    private readonly string _dir = Directory.CreateTempSubdirectory("canopy-bench-tiers-").FullName;
    private readonly StringBuilder _output = new();
    private readonly List<Process> _processes = [];
    private readonly int _rootPort = FreePort.Next();
    private readonly int _clusterPort = FreePort.Next();
    private readonly int _mqttPort = FreePort.Next();
    private readonly string _scheme;

    public SeparateTiers(bool tls) => _scheme = tls ? "https" : "http";

    public string RootUrl => $"{_scheme}://127.0.0.1:{_rootPort}";
    private string ClusterUrl => $"{_scheme}://127.0.0.1:{_clusterPort}";
    private string RootPki => Path.Combine(_dir, "root", "pki");
    private string ClusterPki => Path.Combine(_dir, "cluster", "pki");
    private bool Tls => _scheme == "https";

    /// <summary>Process ids by tier, Mosquitto included, once <see cref="StartAsync"/> returned.</summary>
    public Dictionary<string, int> Pids { get; } = [];

    /// <summary>Starts the three tiers and returns once the node is an active member of the cluster.</summary>
    public async Task StartAsync()
    {
        await StartRootAndClusterAsync();
        var nodeToken = Tls ? JoinToken.Format(NodeToken, PinnedHttp.PinOf(ClusterPki)) : NodeToken;
        Start("node", ["node", "--data-dir", Path.Combine(_dir, "node"), "--cluster", ClusterUrl, "--join-token", nodeToken, "--name", "bench-node",
            "--no-containers"]);
        await WaitForActiveNodesAsync(1, TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Root and cluster, then <c>canopy node --simulate <paramref name="nodes"/></c> as the node tier (pid "node"); returns once
    /// it started. <see cref="WaitForActiveNodesAsync"/> tells when they joined.
    /// </summary>
    /// <param name="clusterLogLevel">The cluster's; Information shows its registration timings (<c>RegistrationTimings</c>).</param>
    /// <param name="keepAliveSeconds">The simulated nodes' MQTT keep-alive; null: the node engine's default.</param>
    public async Task StartSimulatedAsync(int nodes, string clusterLogLevel = "Warning", int? keepAliveSeconds = null)
    {
        await StartRootAndClusterAsync(clusterLogLevel);
        var nodeToken = Tls ? JoinToken.Format(NodeToken, PinnedHttp.PinOf(ClusterPki)) : NodeToken;
        Start("node", ["node", "--simulate", nodes.ToString(), "--data-dir", Path.Combine(_dir, "simulated"), "--cluster", ClusterUrl,
            "--join-token", nodeToken, "--name", "sim"],
            keepAliveSeconds is { } seconds ? ("CANOPY_KEEPALIVE", TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture)) : null);
    }

    /// <summary>The cluster join token with the root's CA pin (once the root started), as `canopy token create cluster` prints it.</summary>
    public string ClusterJoinToken => Tls ? JoinToken.Format(ClusterToken, PinnedHttp.PinOf(RootPki)) : ClusterToken;

    /// <summary>`canopy root` alone (pid "root"), returning once it is ready.</summary>
    public async Task StartRootAsync()
    {
        var insecure = Tls ? Array.Empty<string>() : ["--insecure-http"];
        var root = Start("root", ["root", "--data-dir", Path.Combine(_dir, "root"), "--listen", RootUrl, "--cluster-join-token", ClusterToken,
            "--admin-password", AdminPassword, .. insecure]);
        await Readiness.WaitAsync(root, new Uri(RootUrl + "/health/ready"), TimeSpan.FromSeconds(90), "canopy root", Output, PinnedHttp.Handler(RootPki));
    }

    private async Task StartRootAndClusterAsync(string clusterLogLevel = "Warning")
    {
        await StartRootAsync();
        var insecure = Tls ? Array.Empty<string>() : ["--insecure-http"];
        var joinToken = ClusterJoinToken;
        var cluster = Start("cluster", ["cluster", "--data-dir", Path.Combine(_dir, "cluster"), "--listen", ClusterUrl, "--root", RootUrl,
            "--join-token", joinToken, "--node-join-token", NodeToken, "--mqtt-port", _mqttPort.ToString(), "--name", "bench-cluster", .. insecure],
            Tls ? null : ("CANOPY_Cluster__Mqtt__Tls", "false"), clusterLogLevel);
        await Readiness.WaitAsync(cluster, new Uri(ClusterUrl + "/health"), TimeSpan.FromSeconds(90), "canopy cluster", Output, PinnedHttp.Handler(ClusterPki));
        Pids["mosquitto"] = int.Parse(File.ReadAllText(Path.Combine(_dir, "cluster", "mosquitto", "mosquitto.pid")).Trim());
    }

    private Process Start(string tier, string[] args, (string Name, string Value)? environment = null, string logLevel = "Warning")
    {
        var psi = new ProcessStartInfo(Repo.CanopyBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args.Concat(["--log-level", logLevel]))
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["CANOPY_CONFIG"] = Path.Combine(_dir, "cli.json");
        if (environment is { } variable)
        {
            psi.Environment[variable.Name] = variable.Value;
        }

        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => Append(tier, e.Data);
        process.ErrorDataReceived += (_, e) => Append(tier, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        Pids[tier] = process.Id;
        return process;
    }

    /// <summary>The cluster's API with a root Admin's token (the cluster accepts it).</summary>
    public async Task<HttpClient> ClusterApiAsync()
    {
        var clusterApi = PinnedHttp.Client(ClusterPki, ClusterUrl);
        clusterApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await AdminTokenAsync());
        return clusterApi;
    }

    /// <summary>The root's API as its Admin.</summary>
    public async Task<HttpClient> RootApiAsync()
    {
        var rootApi = PinnedHttp.Client(RootPki, RootUrl);
        rootApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await AdminTokenAsync());
        return rootApi;
    }

    private async Task<string> AdminTokenAsync()
    {
        using var rootApi = PinnedHttp.Client(RootPki, RootUrl);
        var login = await rootApi.PostAsJsonAsync("api/auth/login", new LoginRequest("Admin", AdminPassword), CanopyJson.Options);
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<LoginResponse>(CanopyJson.Options))!.Token;
    }

    /// <summary>A line on the node tier's stdin (the simulator's commands: <c>kill A-B</c>, <c>revive A-B</c>).</summary>
    public async Task SendToNodesAsync(string line)
    {
        var node = _processes.Single(p => p.Id == Pids["node"]);
        await node.StandardInput.WriteLineAsync(line);
        await node.StandardInput.FlushAsync();
    }

    /// <summary>The cluster's node list shows <paramref name="count"/> nodes active.</summary>
    public async Task WaitForActiveNodesAsync(int count, TimeSpan timeout)
    {
        // A long wait outlives an access token (10 min): log in again well before it expires.
        var clusterApi = await ClusterApiAsync();
        var since = Stopwatch.StartNew();
        try
        {
            await Wait.ForAsync(async () =>
            {
                if (since.Elapsed > TimeSpan.FromMinutes(5))
                {
                    clusterApi.Dispose();
                    clusterApi = await ClusterApiAsync();
                    since.Restart();
                }

                return await clusterApi.GetFromJsonAsync<List<NodeDocument>>("api/v1/nodes", CanopyJson.Options) ?? [];
            }, nodes => nodes.Count(n => n.Active) >= count, timeout, $"{count} nodes to be active in their cluster", TimeSpan.FromSeconds(1));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Tail(Output(), 4000)}", e);
        }
        finally
        {
            clusterApi.Dispose();
        }
    }

    /// <summary>The lines <paramref name="tier"/> printed that contain <paramref name="text"/>, oldest first.</summary>
    public IReadOnlyList<string> OutputLines(string tier, string text) =>
        Output().Split('\n').Where(l => l.StartsWith(tier + ": ", StringComparison.Ordinal) && l.Contains(text, StringComparison.Ordinal))
            .Select(l => l[(tier.Length + 2)..].TrimEnd()).ToList();

    private static string Tail(string text, int chars) => text.Length > chars ? text[^chars..] : text;

    private void Append(string tier, string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Append(tier).Append(": ").AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    /// <summary>Node first (it leaves nothing running: exec only), then cluster (its Mosquitto with it), then root.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes))
        {
            await Signals.TerminateAsync(process, TimeSpan.FromSeconds(20));
            process.Dispose();
        }

        MachineCleanup.ForDataDir(_dir);
    }
}
