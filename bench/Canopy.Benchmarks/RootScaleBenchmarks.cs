using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;
using Canopy.Testing.ClusterSimulation;

namespace Canopy.Benchmarks;

/// <summary>
/// The root with many clusters (issue 11 sections 2 and 3): `canopy root` as a process with its SQLite store, and N simulated
/// clusters (<see cref="ClusterSimulator"/>, in this process) each on its own `wss://` link with its own identity, reporting on the
/// cluster's schedule. <c>clusters</c>: how long GET /api/clusters/ takes, and the root's idle CPU and RSS with them.
/// <c>api</c>: many small services created and deployed through the public API with the CLI's calls, several clients at once:
/// deploys/s acknowledged and the time until every instance is RUNNING at the root.
/// </summary>
internal static class RootScaleBenchmarks
{
    private const int Warmup = 50;

    public static async Task ClustersAsync(IReadOnlyList<int> steps, int requests, TimeSpan idle)
    {
        Console.WriteLine($"Root with simulated clusters (wss, pinned CA); load average at the start {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| clusters | all linked after | GET /api/clusters/ median / p95 / max (n) | body | root idle CPU / RSS | load average |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var n in steps)
        {
            await using var tiers = new SeparateTiers(tls: true);
            await tiers.StartRootAsync();
            await using var simulator = new ClusterSimulator(new ClusterSimulatorOptions(tiers.RootUrl, tiers.ClusterJoinToken), n);
            var clock = Stopwatch.StartNew();
            await simulator.StartAsync(TimeSpan.FromSeconds(60 + n));
            var linked = clock.Elapsed;
            using var api = await tiers.RootApiAsync();
            await Wait.ForAsync(() => api.GetFromJsonAsync<List<ClusterDocument>>("api/clusters/active", CanopyJson.Options)!, l => l!.Count == n,
                TimeSpan.FromSeconds(60), $"{n} clusters active at the root");

            var (times, bytes) = await TimeGetAsync(api, "api/clusters/", requests);
            await Task.Delay(TimeSpan.FromSeconds(5)); // the last registrations' work is not idle
            var before = Stats.CpuTime(tiers.Pids["root"]);
            await Task.Delay(idle);
            var cpu = (Stats.CpuTime(tiers.Pids["root"]) - before) / idle * 100;
            Console.WriteLine($"| {n} | {linked.TotalSeconds:0.0} s | {Stats.Percentile(times, 50):0.0} / {Stats.Percentile(times, 95):0.0} / {times.Max():0.0} ms ({times.Count}) | " +
                              $"{bytes / 1024.0:0} KB | {cpu:0.0} % / {Stats.RssMb(tiers.Pids["root"]):0} MB | {LoadAverage()} |");
        }

        Console.WriteLine();
        Console.WriteLine($"load average at the end {LoadAverage()}");
    }

    public static async Task DeploysAsync(int clusters, int services, int clients)
    {
        Console.WriteLine($"API deploys against {clusters} simulated clusters: {services} services of one exec instance each, {clients} clients at once (after {Warmup} not counted), " +
                          $"the CLI's calls (GET applications, POST application, GET service, POST instance); load average at the start {LoadAverage()}");
        // The root's capacity, not its per-caller limit (100 requests/s, i.e. 25 of these deploys/s for one Admin): lifted here.
        Environment.SetEnvironmentVariable("CANOPY_Root__Limits__RequestsPerSecond", "100000");
        Environment.SetEnvironmentVariable("CANOPY_Root__Limits__Burst", "100000");
        await using var tiers = new SeparateTiers(tls: true);
        await tiers.StartRootAsync();
        await using var simulator = new ClusterSimulator(new ClusterSimulatorOptions(tiers.RootUrl, tiers.ClusterJoinToken), clusters);
        await simulator.StartAsync(TimeSpan.FromSeconds(60 + clusters));
        using var api = await tiers.RootApiAsync();

        // The first deploys also pay for the root's JIT: a warm-up, not counted, so that the figure is the sustained rate.
        await DeployManyAsync(api, "warm", Warmup, clients, []);
        var rootCpu = Stats.CpuTime(tiers.Pids["root"]);
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        await DeployManyAsync(api, "s", services, clients, latencies);
        var acknowledged = clock.Elapsed;
        await Wait.ForAsync(() => api.GetFromJsonAsync<List<ServiceInstanceDocument>>("api/v1/instances", CanopyJson.Options)!,
            l => l!.Count(i => i.Status == InstanceStatus.Running) == services + Warmup, TimeSpan.FromSeconds(60 + services), $"{services} instances RUNNING",
            poll: TimeSpan.FromMilliseconds(250));
        var running = clock.Elapsed;
        var cpu = Stats.CpuTime(tiers.Pids["root"]) - rootCpu;
        var (apps, appsBytes) = await TimeGetAsync(api, "api/applications/", 20);
        var (clusterList, _) = await TimeGetAsync(api, "api/clusters/", 20);

        Console.WriteLine();
        Console.WriteLine("| services | clients | deploys acknowledged | deploys/s | one deploy (4 calls) | all RUNNING after | root CPU | root RSS | load average |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine($"| {services:N0} | {clients} | {acknowledged.TotalSeconds:0.0} s | {services / acknowledged.TotalSeconds:0} | " +
                          $"median {Stats.Percentile(latencies, 50):0} ms, p95 {Stats.Percentile(latencies, 95):0} ms | {running.TotalSeconds:0.0} s | " +
                          $"{cpu.TotalSeconds:0.0} s ({cpu / running * 100:0} % of a core) | {Stats.RssMb(tiers.Pids["root"]):0} MB | {LoadAverage()} |");
        Console.WriteLine();
        Console.WriteLine($"Afterwards, {services + Warmup:N0} applications: GET /api/applications/ (what the CLI reads before each deploy, {appsBytes / 1024.0:0} KB) " +
                          $"median {Stats.Percentile(apps, 50):0.0} ms, p95 {Stats.Percentile(apps, 95):0.0} ms; GET /api/clusters/ median " +
                          $"{Stats.Percentile(clusterList, 50):0.0} ms, p95 {Stats.Percentile(clusterList, 95):0.0} ms (n=20 each)");
    }

    /// <summary>Deploys <paramref name="count"/> services from <paramref name="clients"/> clients at once, noting each one's time.</summary>
    private static async Task DeployManyAsync(HttpClient api, string prefix, int count, int clients, List<double> latencies)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                var one = Stopwatch.StartNew();
                await DeployLikeTheCliAsync(api, $"{prefix}{i}");
                lock (latencies)
                {
                    latencies.Add(one.Elapsed.TotalMilliseconds);
                }
            }
        })));
    }

    private static async Task<(List<double> Times, long Bytes)> TimeGetAsync(HttpClient api, string path, int requests)
    {
        var times = new List<double>();
        long bytes = 0;
        for (var i = 0; i < requests + 10; i++)
        {
            var clock = Stopwatch.StartNew();
            var body = await api.GetByteArrayAsync(path);
            if (i >= 10)
            {
                times.Add(clock.Elapsed.TotalMilliseconds); // the first 10 warm up the connection and the JIT
            }

            bytes = body.Length;
        }

        return (times, bytes);
    }

    /// <summary>What `canopy app deploy` sends for a descriptor with one service.</summary>
    private static async Task DeployLikeTheCliAsync(HttpClient api, string name)
    {
        (await api.GetAsync("api/applications/")).EnsureSuccessStatusCode();
        var created = await api.PostAsync("api/application/", new StringContent(Sla(name), Encoding.UTF8, "application/json"));
        created.EnsureSuccessStatusCode();
        var app = (await created.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single(a => a.ApplicationName == name);
        var serviceId = app.Microservices.Single();
        (await api.GetAsync($"api/service/{serviceId}")).EnsureSuccessStatusCode();
        (await api.PostAsync($"api/service/{serviceId}/instance", null)).EnsureSuccessStatusCode();
    }

    private static string Sla(string app) => $$"""
    {"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"{{app}}","application_namespace":"bench",
     "microservices":[{"microservice_name":"web","microservice_namespace":"bench","virtualization":"exec",
      "cmd":["busybox","httpd","-f"],"memory":16,"vcpus":0.1}]}]}
    """;

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
