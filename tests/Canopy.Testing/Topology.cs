using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Security;

namespace Canopy.Testing;

/// <summary>
/// Many machines on one: a root host, cluster hosts and worker hosts, each a network namespace with its own address
/// on a bridge, each running its Canopy role as a real process with its own data dir and log. The same steps as
/// <c>scripts/topology.sh up</c> (keep the two in line). Tests control each host: kill its role with a signal, cut its
/// link, start it again. Dispose removes everything (processes, mounts, namespaces, links, state dir), also after a
/// failed start; <see cref="CleanupOrphans"/> removes what a crashed test run left.
/// </summary>
public sealed class Topology : IAsyncDisposable
{
    public const string AdminPassword = "topology-admin-password";
    private const string StatePrefix = "/tmp/canopy-topology-";

    private readonly List<TopologyHost> _hosts = [];
    private readonly List<TopologyCluster> _clusters = [];
    private readonly List<IDisposable> _forwarders = [];
    private readonly List<TopologyHost> _roots = [];
    private TestPostgres? _postgres;
    private int _disposed;

    private Topology(string tag, string subnet)
    {
        Tag = tag;
        Subnet = subnet;
        StateDir = StatePrefix + tag;
        Bridge = "cbr-" + tag;
        ClusterJoinToken = $"cluster-{tag}-{Guid.NewGuid():N}";
        NodeJoinToken = $"node-{tag}-{Guid.NewGuid():N}";
    }

    /// <summary>Unique per topology: in namespace, link and state dir names, so that parallel or leftover topologies never collide.</summary>
    public string Tag { get; }

    /// <summary>The /24 prefix, e.g. <c>10.200.37</c>; this machine's side of the bridge is <c>.254</c>.</summary>
    public string Subnet { get; }

    public string StateDir { get; }
    public string Bridge { get; }
    public string ClusterJoinToken { get; }
    public string NodeJoinToken { get; }
    public TopologyHost Root => _hosts[0];
    public string RootUrl => $"https://{Root.Ip}:10000";

    /// <summary>The root's replicas (<c>root</c>, <c>root1</c>, <c>root2</c>...): one unless started with several on PostgreSQL.</summary>
    public IReadOnlyList<TopologyHost> Roots => _roots;

    /// <summary>Every replica's URL, in the order of <see cref="Roots"/>: what the clusters are given.</summary>
    public IReadOnlyList<string> RootUrls => [.. _roots.Select(UrlOf)];

    /// <summary>The throw-away PostgreSQL server of a topology started with <c>postgres</c> (or several roots); null on SQLite.</summary>
    public TestPostgres? Postgres => _postgres;

    /// <summary>The database URLs of the root and of each cluster (by host name) when on PostgreSQL, as their <c>--store</c>.</summary>
    public IReadOnlyDictionary<string, string> Stores => _stores;

    private readonly Dictionary<string, string> _stores = [];

    public static string UrlOf(TopologyHost root) => $"https://{root.Ip}:10000";

    /// <summary>The root's CA, made by the harness before the root starts (the root loads it) so that the clusters' tokens carry its pin.</summary>
    public string RootPkiDir => Path.Combine(Root.DataDir, "pki");

    public string RootCaPin => PinnedHttp.PinOf(RootPkiDir);
    public IReadOnlyList<TopologyHost> Hosts => _hosts;
    public IReadOnlyList<TopologyCluster> Clusters => _clusters;
    public IEnumerable<TopologyHost> Workers => _clusters.SelectMany(c => c.Workers);
    public TimeSpan StartupTime { get; private set; }
    internal string CliConfigPath => Path.Combine(StateDir, "cli-client.json");

    public TopologyHost Host(string name) => _hosts.Single(h => h.Name == name);

    /// <summary>
    /// Builds and starts the topology: host <c>root</c>, hosts <c>c0</c>..(cluster <c>cluster-0</c>..), hosts <c>c0w0</c>..
    /// (worker 0 of each cluster with containerd, the others <c>--no-containers</c>); returns when every cluster is active at the
    /// root with all its workers, and the CLI is logged in.
    /// </summary>
    /// <param name="hostArgs">Extra flags of a host's role by host name, e.g. <c>["c0w1"] = ["--resource", "gpu_model=a2"]</c>, <c>["root"] = ["--scheduler", "first-fit"]</c>.</param>
    /// <param name="rootEnvironment">Extra environment of the root's process, e.g. <c>CANOPY_Root__ClusterGracePeriod</c>.</param>
    /// <param name="hostEnvironment">Extra environment of any host's process by host name.</param>
    /// <param name="roots">Root replicas on one PostgreSQL database (1-3); more than one implies <paramref name="postgres"/>.</param>
    /// <param name="postgres">
    /// The root and the clusters on a throw-away PostgreSQL server (<see cref="TestPostgres"/>, a database each), reached from the
    /// hosts' namespaces through their loopback (<see cref="TopologyHost.ForwardLoopback"/>).
    /// </param>
    public static async Task<Topology> StartAsync(int clusters = 2, int workers = 3, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? rootEnvironment = null, IReadOnlyDictionary<string, string[]>? hostArgs = null,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? hostEnvironment = null, int roots = 1, bool postgres = false)
    {
        if (clusters is < 1 or > 8 || workers is < 1 or > 9 || roots is < 1 or > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(clusters), "1-3 roots, 1-8 clusters, 1-9 workers per cluster");
        }

        CleanupOrphans();
        var started = Stopwatch.StartNew();
        var topology = new Topology(Convert.ToHexString(Guid.NewGuid().ToByteArray())[..6].ToLowerInvariant(), FreeSubnet());
        try
        {
            Directory.CreateDirectory(Path.Combine(topology.StateDir, "logs"));
            Directory.CreateDirectory(Path.Combine(topology.StateDir, "pids"));
            Directory.CreateDirectory(Path.Combine(topology.StateDir, "data"));
            File.WriteAllText(Path.Combine(topology.StateDir, "owner.pid"), Environment.ProcessId.ToString());
            File.WriteAllText(Path.Combine(topology.StateDir, "subnet"), topology.Subnet);
            if (postgres || roots > 1)
            {
                await topology.StartPostgresAsync(clusters);
            }

            topology.Build(roots, clusters, workers, hostArgs ?? new Dictionary<string, string[]>());
            foreach (var (name, value) in rootEnvironment ?? new Dictionary<string, string>())
            {
                foreach (var root in topology._roots)
                {
                    root.Environment[name] = value;
                }
            }

            foreach (var (host, environment) in hostEnvironment ?? new Dictionary<string, IReadOnlyDictionary<string, string>>())
            {
                foreach (var (name, value) in environment)
                {
                    topology.Host(host).Environment[name] = value;
                }
            }

            foreach (var host in topology._hosts)
            {
                host.Start();
            }

            await topology.WaitReadyAsync(timeout ?? TimeSpan.FromSeconds(90));
            // Every replica's address, so that the CLI's pins cover the one a test talks to (CliAtAsync) and it can fail over.
            var login = await CanopyCli.RunAsync(
                topology.CliConfigPath, string.Join(',', topology.RootUrls), ["login", "-p", AdminPassword, "--ca-fingerprint", topology.RootCaPin],
                TimeSpan.FromSeconds(90));
            if (login.ExitCode != 0)
            {
                throw new InvalidOperationException("canopy login failed: " + login);
            }

            topology.StartupTime = started.Elapsed;
            return topology;
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
    }

    /// <summary>A database for the root and one for each cluster, named by host (<c>root</c>, <c>c0</c>...).</summary>
    private async Task StartPostgresAsync(int clusters)
    {
        _postgres = await TestPostgres.StartNewAsync();
        foreach (var host in new[] { "root" }.Concat(Enumerable.Range(0, clusters).Select(c => $"c{c}")))
        {
            _stores[host] = _postgres.Url(await _postgres.CreateDatabaseAsync(host));
        }
    }

    private void Build(int roots, int clusters, int workers, IReadOnlyDictionary<string, string[]> hostArgs)
    {
        Sh.Run("ip", "link", "add", Bridge, "type", "bridge");
        Sh.Run("ip", "addr", "add", $"{Subnet}.254/24", "dev", Bridge);
        Sh.Run("ip", "link", "set", Bridge, "up");

        AddRoots(roots, hostArgs);
        var rootPin = CertificateAuthority.LoadOrCreate(RootPkiDir, "Canopy root").Pin;
        for (var c = 0; c < clusters; c++)
        {
            var octet = 10 + c;
            var ip = $"{Subnet}.{octet}";
            var name = $"cluster-{c}";
            var location = $"{48 + c}.1,{11 + c}.5";
            var host = AddHost($"c{c}", octet,
            [
                "cluster", "--listen", $"https://{ip}:10100", "--mqtt-host", "0.0.0.0", "--mqtt-advertise", ip,
                "--root", string.Join(',', RootUrls), "--join-token", JoinToken.Format(ClusterJoinToken, rootPin), "--node-join-token", NodeJoinToken,
                "--name", name, "--location", location, .. StoreArgs($"c{c}"), .. hostArgs.GetValueOrDefault($"c{c}") ?? [],
            ]);
            ForwardStore(host);
            var cluster = new TopologyCluster(name, location, host);

            // The cluster's CA made ahead in its data dir (the cluster keeps it), so the workers' tokens can carry its pin now.
            var nodeToken = ClusterCa.NodeJoinToken(NodeJoinToken, ClusterCa.PinOf(host.DataDir, name));

            // On PostgreSQL the cluster may move to its standby address (AddStandbyCluster): its nodes know both.
            var clusterUrls = _postgres is null ? $"https://{ip}:10100" : $"https://{ip}:10100,https://{Subnet}.{StandbyOctet(c)}:10100";
            for (var w = 0; w < workers; w++)
            {
                var worker = $"c{c}w{w}";
                string[] args = ["node", "--name", worker, "--cluster", clusterUrls, "--join-token", nodeToken,
                    .. hostArgs.GetValueOrDefault(worker) ?? []];
                cluster.WorkerList.Add(AddHost(worker, 100 + (10 * c) + w, w == 0 ? args : [.. args, "--no-containers"]));
            }

            _clusters.Add(cluster);
        }
    }

    private static int StandbyOctet(int cluster) => 60 + cluster;

    /// <summary>
    /// Another machine for <paramref name="cluster"/> (on PostgreSQL only): a host at its standby address, running the same cluster
    /// from the same database with the key files of its old data dir (<c>--replica-of</c>); not started. Its nodes were given both addresses.
    /// </summary>
    public TopologyHost AddStandbyCluster(TopologyCluster cluster)
    {
        var c = _clusters.IndexOf(cluster);
        if (_postgres is null || c < 0)
        {
            throw new InvalidOperationException("a standby cluster needs a topology on PostgreSQL (postgres: true) and one of its clusters");
        }

        var ip = $"{Subnet}.{StandbyOctet(c)}";
        var rootPin = CertificateAuthority.LoadOrCreate(RootPkiDir, "Canopy root").Pin;
        var host = AddHost($"c{c}s", StandbyOctet(c),
        [
            "cluster", "--listen", $"https://{ip}:10100", "--mqtt-host", "0.0.0.0", "--mqtt-advertise", ip,
            "--root", string.Join(',', RootUrls), "--join-token", JoinToken.Format(ClusterJoinToken, rootPin), "--node-join-token", NodeJoinToken,
            "--name", cluster.Name, "--location", cluster.Location, .. StoreArgs($"c{c}"), "--replica-of", cluster.Host.DataDir,
        ]);
        ForwardStore(host);
        return host;
    }

    /// <summary>
    /// The root's replicas at .1, .2, .3: each tells clusters every replica (<c>--replicas</c>) and registers its own address; the
    /// others take the first one's CA and secrets key (<c>--replica-of</c>), made here before any starts.
    /// </summary>
    private void AddRoots(int roots, IReadOnlyDictionary<string, string[]> hostArgs)
    {
        var names = Enumerable.Range(0, roots).Select(r => r == 0 ? "root" : $"root{r}").ToList();
        var urls = string.Join(',', Enumerable.Range(0, roots).Select(r => $"https://{Subnet}.{r + 1}:10000"));
        for (var r = 0; r < roots; r++)
        {
            string[] replicaArgs = roots == 1 ? [] : ["--replicas", urls, .. r == 0 ? Array.Empty<string>() : ["--replica-of", Path.Combine(StateDir, "data", "root")]];
            var root = AddHost(names[r], r + 1,
            [
                "root", "--listen", "https://0.0.0.0:10000", "--cluster-join-token", ClusterJoinToken, .. StoreArgs("root"), .. replicaArgs,
                .. hostArgs.GetValueOrDefault(names[r]) ?? [],
            ]);
            root.Environment["CANOPY_Root__ReplicaUrl"] = $"https://{root.Ip}:10000";
            ForwardStore(root);
            _roots.Add(root);
        }

        if (roots > 1)
        {
            CertificateAuthority.LoadOrCreate(RootPkiDir, "Canopy root");
            _ = SecretBox.LoadOrCreate(Path.Combine(Root.DataDir, "secrets.key"));
        }
    }

    private string[] StoreArgs(string host) => _stores.TryGetValue(host, out var store) ? ["--store", store] : [];

    /// <summary>The database server is on this machine's loopback: each host on PostgreSQL reaches it on its own.</summary>
    private void ForwardStore(TopologyHost host)
    {
        if (_postgres is not null)
        {
            host.ForwardLoopback(_postgres.Port);
        }
    }

    private TopologyHost AddHost(string name, int octet, string[] roleArgs)
    {
        var host = new TopologyHost(this, name, $"canopy-{Tag}-{name}", $"{Subnet}.{octet}", $"v{Tag}h{octet}", roleArgs);
        _hosts.Add(host);
        var peer = $"v{Tag}p{octet}";
        Sh.Run("ip", "netns", "add", host.Namespace);
        Sh.Run("ip", "link", "add", host.Veth, "type", "veth", "peer", "name", peer);
        Sh.Run("ip", "link", "set", peer, "netns", host.Namespace);
        Sh.Run("ip", "-n", host.Namespace, "link", "set", peer, "name", "eth0");
        Sh.Run("ip", "-n", host.Namespace, "addr", "add", $"{host.Ip}/24", "dev", "eth0");
        Sh.Run("ip", "-n", host.Namespace, "link", "set", "lo", "up");
        Sh.Run("ip", "-n", host.Namespace, "link", "set", "eth0", "up");
        Sh.Run("ip", "link", "set", host.Veth, "master", Bridge);
        Sh.Run("ip", "link", "set", host.Veth, "up");
        File.AppendAllText(Path.Combine(StateDir, "hosts"), $"{name} {host.Namespace} {host.Ip} {host.Veth}\n");
        return host;
    }

    /// <summary>
    /// Every cluster active at the root, each with all its workers active, and each cluster's container worker reporting the
    /// container runtime (a node registers before its containerd is up and adds <c>container</c> later).
    /// </summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        HttpClient? api = null;
        try
        {
            await Wait.ForAsync(async () =>
            {
                foreach (var host in _hosts.Where(h => !h.IsRunning))
                {
                    throw new InvalidOperationException($"{host.Name} exited:\n{host.LogTail(20)}");
                }

                // The leader: a follower answers the node list with 421 (it has no cluster links).
                api ??= await ApiAsync(_roots.Count > 1 ? await LeaderAsync() : null);
                var active = await api.GetFromJsonAsync<List<ClusterDocument>>("api/clusters/active", CanopyJson.Options) ?? [];
                var nodes = await api.GetFromJsonAsync<List<NodeDocument>>("api/v1/nodes", CanopyJson.Options) ?? [];
                return (Active: active, Nodes: nodes);
            }, state => _clusters.All(c => state.Active.Any(a => a.ClusterName == c.Name && a.ActiveNodes == c.Workers.Count)) &&
                        _clusters.All(c => state.Nodes.Any(n => n.Name == c.Workers[0].Name && n.Virtualization.Contains("container"))),
                timeout, $"{_clusters.Count} clusters active with {_clusters[0].Workers.Count} nodes each, worker 0 of each with containers");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + string.Join("\n", _hosts.Select(h => $"--- {h.Name}:\n{h.LogTail(8)}")), e);
        }
        finally
        {
            api?.Dispose();
        }
    }

    /// <summary>
    /// Runs a test on this topology and removes the topology afterwards; when the test fails, the last lines of each host's log
    /// (of the hosts <paramref name="showLogOf"/> picks, all by default) go to <paramref name="log"/> first.
    /// </summary>
    public async Task RunAsync(Func<Task> test, Action<string> log, Func<TopologyHost, bool>? showLogOf = null, int lines = 20)
    {
        try
        {
            await test();
        }
        catch
        {
            foreach (var host in _hosts.Where(showLogOf ?? (_ => true)))
            {
                log($"--- {host.Name}:\n{host.LogTail(lines)}");
            }

            throw;
        }
        finally
        {
            await DisposeAsync();
        }
    }

    /// <summary>An HTTP client logged in as Admin at the root (at <paramref name="replica"/>, one of <see cref="Roots"/>, when given).</summary>
    public async Task<HttpClient> ApiAsync(TopologyHost? replica = null)
    {
        var http = PinnedHttp.Client(RootPkiDir, replica is null ? RootUrl : UrlOf(replica), TimeSpan.FromSeconds(10));
        try
        {
            var login = await http.PostAsJsonAsync("api/auth/login", new LoginRequest("Admin", AdminPassword), CanopyJson.Options);
            login.EnsureSuccessStatusCode();
            var tokens = (await login.Content.ReadFromJsonAsync<LoginResponse>(CanopyJson.Options))!;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Token);
            return http;
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>The CLI against the root (logged in by <see cref="StartAsync"/>).</summary>
    public Task<CliResult> CliAsync(params string[] args) => CanopyCli.RunAsync(CliConfigPath, RootUrl, args, TimeSpan.FromSeconds(90));

    /// <summary>The replica the first answering one of <paramref name="replicas"/> (default: all running) names as leader in <c>/health</c>.</summary>
    public async Task<TopologyHost> LeaderAsync(IEnumerable<TopologyHost>? replicas = null)
    {
        foreach (var replica in (replicas ?? _roots).Where(r => r.IsRunning))
        {
            try
            {
                using var http = PinnedHttp.Client(RootPkiDir, UrlOf(replica), TimeSpan.FromSeconds(3));
                var health = await http.GetFromJsonAsync<RootHealth>("health", CanopyJson.Options);
                if (health?.Leader is { } leader && _roots.FirstOrDefault(r => UrlOf(r) == leader.Url.TrimEnd('/')) is { } host)
                {
                    return host;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // The next replica may answer.
            }
        }

        throw new InvalidOperationException("no replica names a leader");
    }

    /// <summary>The CLI against one replica of the root (the same login: the replicas share the signing key in their database).</summary>
    public Task<CliResult> CliAtAsync(TopologyHost replica, params string[] args) =>
        CanopyCli.RunAsync(CliConfigPath, UrlOf(replica), args, TimeSpan.FromSeconds(90));

    internal void Track(IDisposable forwarder)
    {
        lock (_forwarders)
        {
            _forwarders.Add(forwarder);
        }
    }

    /// <summary>Pids of processes (in any namespace) whose command line contains <paramref name="text"/>.</summary>
    public static List<int> PidsWithCommandLine(string text) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => (Pid: int.TryParse(Path.GetFileName(d), out var p) ? p : 0, Dir: d))
            .Where(x => x.Pid > 0 && x.Pid != Environment.ProcessId)
            .Where(x =>
            {
                try
                {
                    return File.ReadAllText(Path.Combine(x.Dir, "cmdline")).Replace('\0', ' ').Contains(text, StringComparison.Ordinal);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return false;
                }
            })
            .Select(x => x.Pid)
            .ToList();

    /// <summary>
    /// Like <see cref="PidsWithCommandLine"/>, without the processes whose parent matches too: busybox httpd forks a child with
    /// its own command line for each connection, so while a request is served an instance shows as two processes.
    /// </summary>
    public static List<int> MainPidsWithCommandLine(string text)
    {
        var pids = PidsWithCommandLine(text);
        return pids.Where(p => !pids.Contains(Signals.ParentOf(p))).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            lock (_forwarders)
            {
                _forwarders.ForEach(f => f.Dispose());
            }

            Down(Tag);
            if (_postgres is not null)
            {
                await _postgres.DisposeAsync();
            }
        }
    }

    /// <summary>Removes topology <paramref name="tag"/>: its processes, mounts, namespaces, links and state dir. Idempotent.</summary>
    public static void Down(string tag)
    {
        var state = StatePrefix + tag;
        var namespaces = Sh.Output("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')[0]).Where(n => n.StartsWith($"canopy-{tag}-", StringComparison.Ordinal)).ToList();

        var tunnels = namespaces.SelectMany(WireGuardDevices).ToList();

        // Processes naming the state dir and their descendants, twice (a dying node engine may still start something), then
        // whatever else lives in the namespaces; mounts; the state dir.
        for (var round = 0; round < 2; round++)
        {
            MachineCleanup.KillProcessesUsing(state);
            foreach (var ns in namespaces)
            {
                foreach (var pid in Sh.Output("ip", "netns", "pids", ns).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (int.TryParse(pid, out var p))
                    {
                        Signals.Kill(p, Signals.SigKill);
                    }
                }
            }

            Thread.Sleep(100);
        }

        MachineCleanup.ForDataDir(state);
        foreach (var ns in namespaces)
        {
            Sh.Try("ip", "netns", "del", ns);
        }

        // A killed wireguard-go leaves its control socket in the directory all namespaces share.
        foreach (var device in tunnels)
        {
            File.Delete(WireGuardSocket(device));
        }

        foreach (var link in Sh.Output("ip", "-o", "link", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries)
                     .Select(l => l.Split(": ")[1].Split('@')[0])
                     .Where(l => l == "cbr-" + tag || l.StartsWith("v" + tag, StringComparison.Ordinal)))
        {
            Sh.Try("ip", "link", "del", link);
        }
    }

    /// <summary>The control socket of wireguard-go's <paramref name="device"/> (in the file system every namespace shares).</summary>
    public static string WireGuardSocket(string device) => Path.Combine("/var/run/wireguard", device + ".sock");

    /// <summary>The WireGuard devices (<c>cnw…</c>, an encrypted overlay's) in network namespace <paramref name="ns"/>.</summary>
    public static IEnumerable<string> WireGuardDevices(string ns) =>
        Sh.Output("ip", "-n", ns, "-o", "link", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(": ")[1].Split('@')[0]).Where(l => l.StartsWith("cnw", StringComparison.Ordinal)).ToList();

    /// <summary>What topology <paramref name="tag"/> left on the machine (none after <see cref="Down"/>): namespaces, links, processes, the state dir.</summary>
    public static IReadOnlyList<string> Leftovers(string tag)
    {
        var state = StatePrefix + tag;
        var left = new List<string>();
        left.AddRange(Sh.Output("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith($"canopy-{tag}-", StringComparison.Ordinal)).Select(l => "namespace " + l));
        left.AddRange(Sh.Output("ip", "-o", "link", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(": ")[1].Split('@')[0])
            .Where(l => l == "cbr-" + tag || l.StartsWith("v" + tag, StringComparison.Ordinal)).Select(l => "link " + l));
        left.AddRange(PidsWithCommandLine(state).Select(p => "process " + p));
        if (Directory.Exists(state))
        {
            left.Add("directory " + state);
        }

        return left;
    }

    /// <summary>Removes topologies whose owning test process is gone (a test run that crashed or was killed).</summary>
    public static void CleanupOrphans()
    {
        foreach (var dir in Directory.EnumerateDirectories("/tmp", "canopy-topology-*"))
        {
            var ownerFile = Path.Combine(dir, "owner.pid");
            if (File.Exists(ownerFile) && int.TryParse(File.ReadAllText(ownerFile).Trim(), out var owner) &&
                owner != Environment.ProcessId && !Signals.IsAlive(owner))
            {
                Down(Path.GetFileName(dir)["canopy-topology-".Length..]);
            }
        }
    }

    private static string FreeSubnet()
    {
        var used = Sh.Output("ip", "-4", "-o", "addr", "show");
        var random = new Random();
        for (var i = 0; i < 500; i++)
        {
            var s = random.Next(1, 251);
            if (!used.Contains($" 10.200.{s}.", StringComparison.Ordinal))
            {
                return $"10.200.{s}";
            }
        }

        throw new InvalidOperationException("No free 10.200.x.0/24");
    }
}

/// <summary>One cluster of a <see cref="Topology"/>: its name, location, host and worker hosts.</summary>
public sealed class TopologyCluster(string name, string location, TopologyHost host)
{
    public string Name { get; } = name;
    public string Location { get; } = location;
    public TopologyHost Host { get; } = host;
    public string Url => $"https://{Host.Ip}:10100";

    /// <summary>The pin of the cluster's CA (in its data dir): what its nodes' join tokens carry.</summary>
    public string Pin => ClusterCa.ExistingPin(Host.DataDir) ?? throw new InvalidOperationException($"{Name} has no CA yet");
    public IReadOnlyList<TopologyHost> Workers => WorkerList;

    /// <summary>The cluster's own admin credential for its API, from its data dir.</summary>
    public string AdminToken => File.ReadAllText(Path.Combine(Host.DataDir, "admin-token")).Trim();

    /// <summary>A client of the cluster's API with its admin token.</summary>
    public HttpClient Api(TimeSpan? timeout = null)
    {
        var client = new HttpClient(ClusterCa.PinnedHandler(Pin)) { BaseAddress = new Uri(Url + "/"), Timeout = timeout ?? TimeSpan.FromSeconds(5) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }
    internal List<TopologyHost> WorkerList { get; } = [];

    /// <summary>The root replica the cluster's link is up to, from its <c>GET /api/cluster/status</c>.</summary>
    public async Task<LinkedRoot> LinkedRootAsync()
    {
        using var http = Api();
        var status = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("api/cluster/status");
        return new LinkedRoot(status.GetProperty("connected_to_root").GetBoolean(),
            status.TryGetProperty("root_url", out var url) ? url.GetString() : null,
            status.TryGetProperty("linked_since", out var since) && since.ValueKind == System.Text.Json.JsonValueKind.String ? since.GetDateTimeOffset() : null);
    }
}

/// <summary>Whether a cluster's root link is up, to which replica, since when (the cluster's clock).</summary>
public sealed record LinkedRoot(bool Connected, string? Url, DateTimeOffset? Since);

/// <summary>One host of a <see cref="Topology"/>: a network namespace with one address and one Canopy role.</summary>
public sealed class TopologyHost
{
    private readonly Topology _topology;
    private readonly string[] _roleArgs;
    private Process? _process;

    internal TopologyHost(Topology topology, string name, string ns, string ip, string veth, string[] roleArgs)
    {
        _topology = topology;
        Name = name;
        Namespace = ns;
        Ip = ip;
        Veth = veth;
        _roleArgs = roleArgs;
        DataDir = Path.Combine(topology.StateDir, "data", name);
        LogPath = Path.Combine(topology.StateDir, "logs", name + ".log");
    }

    public string Name { get; }
    public string Namespace { get; }
    public string Ip { get; }

    /// <summary>This machine's end of the host's veth pair (in the bridge): <see cref="LinkDown"/> cuts the host off.</summary>
    public string Veth { get; }

    public string DataDir { get; }
    public string LogPath { get; }
    public string Role => _roleArgs[0];
    public int Pid => _process?.Id ?? 0;
    public bool IsRunning => _process is { HasExited: false };

    public string Log
    {
        get
        {
            try
            {
                using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                return new StreamReader(stream).ReadToEnd();
            }
            catch (IOException)
            {
                return "";
            }
        }
    }

    /// <summary>Extra environment of the role's process (e.g. <c>CANOPY_Root__ClusterGracePeriod</c>), applied by <see cref="Start"/>.</summary>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>();

    public string LogTail(int lines) => string.Join('\n', Log.Split('\n').TakeLast(lines));

    /// <summary>Starts the role (again) in the host's namespace, in its own session, appending to its log.</summary>
    public void Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is running");
        }

        _process?.Dispose();
        File.AppendAllText(LogPath, $"=== {DateTime.UtcNow:O} starting {Name}\n");
        // sh redirects to the log and execs setsid, which (not a group leader) execs nsenter, which execs canopy: Pid is canopy's.
        // nsenter --net, not `ip netns exec`: that one also remounts /sys, which hides the cgroup mounts (exec instances could
        // not join their cgroups, runc finds no cgroup mount).
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var a in new[] { "-c", "exec \"$@\" >>\"$0\" 2>&1 </dev/null", LogPath, "setsid", "nsenter", "--net=/run/netns/" + Namespace, Repo.CanopyBinary })
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var a in _roleArgs.Concat(["--data-dir", DataDir]))
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["CANOPY_ADMIN_PASSWORD"] = Topology.AdminPassword;
        psi.Environment["CANOPY_CONFIG"] = Path.Combine(_topology.StateDir, "cli.json");
        foreach (var (name, value) in Environment)
        {
            psi.Environment[name] = value;
        }

        _process = Process.Start(psi)!;
        File.WriteAllText(Path.Combine(_topology.StateDir, "pids", Name + ".pid"), _process.Id.ToString());
    }

    /// <summary>Sends a signal to the role's process and waits until it has ended.</summary>
    public async Task KillAsync(int signal, TimeSpan? timeout = null)
    {
        if (!IsRunning)
        {
            return;
        }

        Signals.Kill(_process!.Id, signal);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
    }

    /// <summary>Whether this worker's node engine holds instance <paramref name="number"/> of a service (its state dir exists).</summary>
    public bool HoldsInstance(string serviceId, int number) =>
        Directory.Exists(Path.Combine(DataDir, "instances", $"{serviceId}.{number}")) ||
        Directory.Exists(Path.Combine(DataDir, "containers", $"{serviceId}.{number}"));

    /// <summary>Cuts the host off the network (its veth end in the bridge down); processes keep running.</summary>
    public void LinkDown() => Sh.Run("ip", "link", "set", Veth, "down");

    public void LinkUp() => Sh.Run("ip", "link", "set", Veth, "up");

    /// <summary>
    /// Makes 127.0.0.1:<paramref name="port"/> of this machine reachable as 127.0.0.1:<paramref name="port"/> inside the host
    /// (e.g. the local registry, 5000, for a container worker); stopped with the topology.
    /// </summary>
    public void ForwardLoopback(int port) => _topology.Track(NamespaceForwarder.Start(Namespace, port));

    /// <summary>Runs a command inside the host's namespace.</summary>
    public Task<CliResult> ExecAsync(params string[] command) => Sh.RunAsync(["ip", "netns", "exec", Namespace, .. command]);

    public override string ToString() => $"{Name} ({Role}, {Ip}, {Namespace})";
}

/// <summary>Short external commands for the topology, the benchmarks and other namespace fixtures (ip, nft).</summary>
public static class Sh
{
    public static void Run(string file, params string[] args)
    {
        var result = RunAsync([file, .. args]).GetAwaiter().GetResult();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {result}");
        }
    }

    public static void Try(string file, params string[] args) => RunAsync([file, .. args]).GetAwaiter().GetResult();

    public static string Output(string file, params string[] args) => RunAsync([file, .. args]).GetAwaiter().GetResult().StdOut;

    public static async Task<CliResult> RunAsync(string[] command)
    {
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await p.WaitForExitAsync(cts.Token);
        return new CliResult(p.ExitCode, await stdout, await stderr);
    }
}
