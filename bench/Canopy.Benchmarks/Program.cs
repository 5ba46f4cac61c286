using Canopy.Benchmarks;
using Canopy.Testing;

// Whole-system figures against the built `canopy` (set CANOPY_BIN for a published one):
//   dotnet run -c Release --project bench/Canopy.Benchmarks -- [startup|deploy|memory|node|containers|load|network|encryption|topology|tls|scale|wire|all] [--runs N]
//   node: [--no-containers] (skips the native node with 50 running containers, which needs scripts/test-registry.sh up)
//   wire: [--keepalive K[,K...]] (seconds, default 1,2) [--window SECONDS] (default 60); not part of "all"
//   scale: [--nodes N[,N...]] (default 500,1000,2000,5000) [--idle SECONDS] (default 30) [--joins-only] (no scale or drop) [--keepalive SECONDS] (the simulated nodes'); not part of "all" (it takes long)
//   clusters: [--clusters N[,N...]] (default 10,100) [--idle SECONDS] (default 30) [--runs N] (GETs, default 200); not part of "all"
//   api: [--clusters N] (default 100) [--services N] (default 500) [--clients N] (default 8); not part of "all"
//   replicas: [--runs N] (default 5): root leadership handover on a throw-away PostgreSQL; not part of "all"
//   failover: [--runs N] (default 5): leader root SIGKILL → cluster linked to the new leader (3 replicas on PostgreSQL); not part of "all"
//   dashboard: [--idle SECONDS] (default 300): the root's CPU and RSS with the dashboard open in headless Chromium; not part of "all"
//   metrics: [--services N] (default 100) [--runs N]: GET /metrics of root and cluster under `canopy up` with N exec services; not part of "all"
//   runtimes: [--runs N] (default 20) [--idle SECONDS] (default 10) [--device-mb MB] (default 1024) [--max-instances N] (default 5000) [--only exec,container]:
//     every runtime the node engine offers side by side, in process (issue 14); not part of "all"
//   --store postgres: the root's store in a durable throw-away PostgreSQL (fsync on) instead of SQLite in its data dir (deploy, api)
var store = args.SkipWhile(a => a != "--store").Skip(1).FirstOrDefault();
var what = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] != "--store")).FirstOrDefault() ?? "all";
await using var postgres = store is "postgres" ? await BenchStore.StartPostgresAsync() : null;
var runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(int.Parse).FirstOrDefault(20);

Console.WriteLine($"# Canopy benchmarks, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {Environment.OSVersion}");
if (what is "startup" or "all")
{
    await SystemBenchmarks.StartupAsync(runs: 5);
}

if (what is "deploy" or "all")
{
    await SystemBenchmarks.DeployExecAsync(runs);
}

if (what is "memory" or "all")
{
    await SystemBenchmarks.IdleMemoryAsync();
}

if (what is "node" or "all")
{
    // JIT vs native node engine; the native one from scripts/publish-node.sh (CANOPY_NODE_BIN to use another).
    var native = Environment.GetEnvironmentVariable("CANOPY_NODE_BIN") is { Length: > 0 } bin
        ? bin
        : Path.Combine(Repo.Root, "artifacts", "canopy-node", "linux-x64", "canopy-node");
    await NodeBenchmarks.RunAsync(runs: Math.Min(runs, 5), native, idle: TimeSpan.FromSeconds(15));

    // The native node's RSS with 50 running containers (needs scripts/test-registry.sh up); `load` gives the JIT node's.
    if (!args.Contains("--no-containers"))
    {
        await ContainerBenchmarks.NodeLoadAsync(containers: 50, native);
    }
}

if (what is "containers" or "all")
{
    await ContainerBenchmarks.DeployAsync(runs);
}

if (what is "load" or "all")
{
    await ContainerBenchmarks.NodeLoadAsync(containers: 50);
}

if (what is "network" or "encryption" or "all")
{
    // The overlay alone, two nodes in network namespaces: iperf3 over the plain VXLAN overlay, then over the WireGuard one.
    await NetBenchmarks.EncryptionAsync();
}

if (what is "network" or "all")
{
    // Network namespaces, containers and iperf3: root only. First the kernel side alone: 100 services × 3 instances on
    // 100 peers, one change per run; then the whole system on the topology.
    await NetBenchmarks.ApplyAsync(runs);
    await NetworkBenchmarks.RunAsync(runs: Math.Min(runs, 5)); // restarts back off (250 ms doubling): 5 kills stay quick
}

if (what is "tls" or "all")
{
    // TLS on vs off: deploys under `canopy up`, the tiers idle as separate processes (30 s each way), MQTT rates, rotation.
    await TlsBenchmarks.RunAsync(runs, idle: TimeSpan.FromSeconds(30));
}

if (what is "metrics")
{
    var services = args.SkipWhile(a => a != "--services").Skip(1).Select(int.Parse).FirstOrDefault(100);
    await MetricsBenchmarks.ScrapeAsync(services, runs);
}

if (what is "scale")
{
    // Simulated nodes against a real cluster, a fresh one per step; the ramp stops at the first step that fails.
    var nodes = args.SkipWhile(a => a != "--nodes").Skip(1).Select(v => v.Split(',').Select(int.Parse).ToArray()).FirstOrDefault([500, 1000, 2000, 5000]);
    var idle = args.SkipWhile(a => a != "--idle").Skip(1).Select(int.Parse).FirstOrDefault(30);
    var keepAlive = args.SkipWhile(a => a != "--keepalive").Skip(1).Select(v => (int?)int.Parse(v)).FirstOrDefault();
    await ScaleBenchmarks.RunAsync(nodes, TimeSpan.FromSeconds(idle), workload: !args.Contains("--joins-only"), keepAlive);
}

if (what is "wire")
{
    // Network namespaces: root only. Per keep-alive (seconds): idle and busy bytes per node, the root link, link cut → moved.
    var keepAlives = args.SkipWhile(a => a != "--keepalive").Skip(1).Select(v => v.Split(',').Select(int.Parse).ToArray()).FirstOrDefault([1, 2]);
    var window = args.SkipWhile(a => a != "--window").Skip(1).Select(int.Parse).FirstOrDefault(60);
    await WireBenchmarks.RunAsync(keepAlives, TimeSpan.FromSeconds(window), cuts: Math.Min(runs, 5));
}

if (what is "clusters")
{
    // Simulated clusters over the real link against `canopy root`: GET /api/clusters/ and the root's idle cost.
    var clusters = args.SkipWhile(a => a != "--clusters").Skip(1).Select(v => v.Split(',').Select(int.Parse).ToArray()).FirstOrDefault([10, 100]);
    var idle = args.SkipWhile(a => a != "--idle").Skip(1).Select(int.Parse).FirstOrDefault(30);
    await RootScaleBenchmarks.ClustersAsync(clusters, requests: args.Contains("--runs") ? runs : 200, TimeSpan.FromSeconds(idle));
}

if (what is "api")
{
    // Many small services through the public API against simulated clusters: deploys/s and time to all RUNNING.
    int Arg(string name, int fallback) => args.SkipWhile(a => a != name).Skip(1).Select(int.Parse).FirstOrDefault(fallback);
    await RootScaleBenchmarks.DeploysAsync(Arg("--clusters", 100), Arg("--services", 500), Arg("--clients", 8));
}

if (what is "replicas")
{
    // Root leadership on PostgreSQL, in process: the leader's end → the next leader (median of --runs, default 5); not part of "all".
    await ReplicaBenchmarks.HandoverAsync(args.Contains("--runs") ? runs : 5);
}

if (what is "failover")
{
    await FailoverBenchmarks.RunAsync(args.Contains("--runs") ? runs : 5);
}

if (what is "dashboard")
{
    // The root alone for a minute, then with the dashboard open in Debian's Chromium (issue 13's figure: 5 minutes).
    var idle = args.SkipWhile(a => a != "--idle").Skip(1).Select(int.Parse).FirstOrDefault(300);
    await DashboardBenchmarks.RunAsync(open: TimeSpan.FromSeconds(idle), alone: TimeSpan.FromSeconds(60));
}

if (what is "runtimes")
{
    // The node engine's runtimes in this process, one workload each (RuntimeWorkload.All); a runtime not offered is skipped with its reason.
    int Arg(string name, int fallback) => args.SkipWhile(a => a != name).Skip(1).Select(int.Parse).FirstOrDefault(fallback);
    var only = args.SkipWhile(a => a != "--only").Skip(1).Select(v => v.Split(',')).FirstOrDefault();
    await RuntimeBenchmarks.RunAsync(runs, idleInstances: 5, TimeSpan.FromSeconds(Arg("--idle", 10)), Arg("--device-mb", 1024), Arg("--max-instances", 5000), only);
}

if (what is "topology" or "all")
{
    // Network namespaces: root only. Kills: 5 workers, 3 clusters (each waits out the 30 s grace period).
    await TopologyBenchmarks.RunAsync(deploys: runs, workerKills: 5, clusterKills: 3, idle: TimeSpan.FromMinutes(1));
}
