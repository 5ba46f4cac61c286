using System.Net.Http.Json;
using System.Text;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>
/// The quieter wire (issue 11 section 4), per MQTT keep-alive K: a root, one cluster and 3 workers, each a network namespace
/// running its role as a real process over TLS (<see cref="Topology"/>). Bytes are the kernel's counters of each namespace's TCP
/// sockets (<see cref="SocketCounters"/>: TLS records, and with the IP/TCP headers of every segment) and of the worker's veth
/// (everything on its link: also ARP and the overlay's latency probes). Then link cut → RUNNING elsewhere.
/// </summary>
internal static class WireBenchmarks
{
    public static async Task RunAsync(IReadOnlyList<int> keepAlives, TimeSpan window, int cuts)
    {
        Console.WriteLine($"Quieter wire: root + 1 cluster × 3 workers (network namespaces, TLS); load average at the start {LoadAverage()}");
        var rows = new List<string>();
        foreach (var k in keepAlives)
        {
            rows.Add(await StepAsync(k, window, cuts));
        }

        Console.WriteLine();
        Console.WriteLine("| keep-alive | idle node: socket B/s (TLS records) | idle node: IP B/s (+ headers, ACKs) | idle node: veth B/s | busy node (10 instances): socket / IP B/s | root link per cluster, idle: socket / IP B/s | link cut → RUNNING elsewhere | load average |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        rows.ForEach(Console.WriteLine);
        Console.WriteLine();
        Console.WriteLine($"load average at the end {LoadAverage()}");
    }

    private static async Task<string> StepAsync(int keepAlive, TimeSpan window, int cuts)
    {
        var env = Enumerable.Range(0, 3).ToDictionary(
            w => $"c0w{w}", _ => (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["CANOPY_KEEPALIVE"] = $"00:00:{keepAlive:00}" });
        await using var topology = await Topology.StartAsync(clusters: 1, workers: 3, hostEnvironment: env);
        using var api = await topology.ApiAsync();
        Console.WriteLine($"keep-alive {keepAlive} s: topology ready in {topology.StartupTime.TotalSeconds:0.0} s");
        await Task.Delay(TimeSpan.FromSeconds(15)); // past the burst of joining

        var idle = await MeasureAsync(topology, window);
        var perNode = idle.Workers.Values.Select(w => w.Sockets).ToList();
        Console.WriteLine($"  idle, {window.TotalSeconds:0} s: per worker socket B/s {string.Join(", ", perNode.Select(c => Rate(c.Bytes, window)))}; " +
                          $"IP B/s {string.Join(", ", perNode.Select(c => Rate(c.WireBytes, window)))}; " +
                          $"veth B/s {string.Join(", ", idle.Workers.Values.Select(w => Rate(w.Veth, window)))}; " +
                          $"root link socket {Rate(idle.RootLink.Bytes, window)}, IP {Rate(idle.RootLink.WireBytes, window)} B/s");

        var busyWorker = topology.Workers.First();
        var service = await DeploySleepersAsync(topology, api, busyWorker.Name, 10);
        await Task.Delay(TimeSpan.FromSeconds(15)); // past the deploys' own messages
        var busy = await MeasureAsync(topology, window);
        var busyNode = busy.Workers[busyWorker.Name].Sockets;
        Console.WriteLine($"  busy, {window.TotalSeconds:0} s, 10 instances on {busyWorker.Name}: socket {Rate(busyNode.Bytes, window)} B/s, " +
                          $"IP {Rate(busyNode.WireBytes, window)} B/s; root link socket {Rate(busy.RootLink.Bytes, window)}, IP {Rate(busy.RootLink.WireBytes, window)} B/s");
        (await api.DeleteAsync($"api/application/{service.ApplicationId}")).EnsureSuccessStatusCode();

        var times = await TopologyBenchmarks.WorkerFailuresAsync(topology, api, cuts, cutLink: true);
        return $"| {keepAlive} s | {Median(perNode.Select(c => c.Bytes), window)} | {Median(perNode.Select(c => c.WireBytes), window)} | " +
               $"{Median(idle.Workers.Values.Select(w => w.Veth), window)} | {Rate(busyNode.Bytes, window)} / {Rate(busyNode.WireBytes, window)} | " +
               $"{Rate(idle.RootLink.Bytes, window)} / {Rate(idle.RootLink.WireBytes, window)} | {Stats.Summary(times)} | {LoadAverage()} |";
    }

    private sealed record Window(Dictionary<string, (SocketCounters Sockets, long Veth)> Workers, SocketCounters RootLink);

    /// <summary>Each worker's sockets and veth, and the cluster's sockets to the root, over <paramref name="window"/>.</summary>
    private static async Task<Window> MeasureAsync(Topology topology, TimeSpan window)
    {
        var workers = topology.Workers.ToList();
        var cluster = topology.Clusters[0].Host;
        // The root's API and link port (Topology.RootUrl); ss may print an IPv4 peer as [::ffff:a.b.c.d]:port.
        var rootPort = new Uri(topology.RootUrl).Port;
        bool ToRoot(string peer) => peer.EndsWith($":{rootPort}", StringComparison.Ordinal);

        var before = await Task.WhenAll(workers.Select(w => SocketCounters.ReadAsync(w.Namespace)));
        var vethBefore = workers.Select(w => VethBytes(w.Veth)).ToList();
        var linkBefore = await SocketCounters.ReadAsync(cluster.Namespace, ToRoot);
        await Task.Delay(window);
        var after = await Task.WhenAll(workers.Select(w => SocketCounters.ReadAsync(w.Namespace)));
        var vethAfter = workers.Select(w => VethBytes(w.Veth)).ToList();
        var linkAfter = await SocketCounters.ReadAsync(cluster.Namespace, ToRoot);
        if (linkAfter.Count == 0)
        {
            Console.WriteLine($"  (no socket of {cluster.Name} to the root's port {rootPort}; its sockets: {string.Join(", ", (await SocketCounters.ReadAsync(cluster.Namespace)).Keys)})");
        }

        return new Window(
            workers.Select((w, i) => (w.Name, Counters: (SocketCounters.Since(before[i], after[i]), vethAfter[i] - vethBefore[i])))
                .ToDictionary(x => x.Name, x => x.Counters),
            SocketCounters.Since(linkBefore, linkAfter));
    }

    /// <summary>Both directions on this machine's end of the host's veth, Ethernet headers included.</summary>
    private static long VethBytes(string veth) =>
        long.Parse(File.ReadAllText($"/sys/class/net/{veth}/statistics/rx_bytes")) + long.Parse(File.ReadAllText($"/sys/class/net/{veth}/statistics/tx_bytes"));

    private static async Task<(string ApplicationId, string ServiceId)> DeploySleepersAsync(Topology topology, HttpClient api, string node, int count)
    {
        var sla = $$"""
        {"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"busy","application_namespace":"wire",
         "microservices":[{"microservice_name":"sleepers","microservice_namespace":"wire","virtualization":"exec",
          "cmd":["sh","-c","exec sleep 3600"],"memory":8,"vcpus":0.05,
          "constraints":[{"type":"direct","cluster":"{{topology.Clusters[0].Name}}","node":"{{node}}"}]}]}]}
        """;
        var created = await api.PostAsync("api/application/", new StringContent(sla, Encoding.UTF8, "application/json"));
        created.EnsureSuccessStatusCode();
        var app = (await created.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single(a => a.ApplicationName == "busy");
        var serviceId = app.Microservices.Single();
        for (var i = 0; i < count; i++)
        {
            (await api.PostAsync($"api/service/{serviceId}/instance", null)).EnsureSuccessStatusCode();
        }

        await Deploys.WaitAsync(api, serviceId, s => s.InstanceList.Count == count && s.InstanceList.All(x => x.Status == InstanceStatus.Running && x.NodeName == node),
            TimeSpan.FromSeconds(60), $"{count} instances RUNNING on {node}");
        return (app.ApplicationId, serviceId);
    }

    private static string Rate(long bytes, TimeSpan window) => $"{bytes / window.TotalSeconds:0.0}";

    private static string Median(IEnumerable<long> bytes, TimeSpan window)
    {
        var sorted = bytes.Order().ToList();
        return Rate(sorted[sorted.Count / 2], window);
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
