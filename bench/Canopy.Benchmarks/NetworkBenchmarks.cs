using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>
/// The net manager's figures on the topology (root, 2 clusters × 2 workers, network namespaces): throughput container →
/// container across the VXLAN overlay versus the same two containers routed plainly over the underlay bridge, connection
/// set-up through a service IP versus straight to the instance, and how fast connections follow an instance that fails and
/// comes back. Needs iperf3 (Debian's).
/// </summary>
internal static class NetworkBenchmarks
{
    private const string Image = "127.0.0.1:5000/canopy/busybox:1";

    public static async Task RunAsync(int runs)
    {
        if (!File.Exists("/usr/bin/iperf3"))
        {
            throw new InvalidOperationException("the network benchmark needs iperf3: apt-get install iperf3");
        }

        await using var topology = await Topology.StartAsync(clusters: 2, workers: 2);
        foreach (var cluster in topology.Clusters)
        {
            cluster.Workers[0].ForwardLoopback(5000);
        }

        Console.WriteLine($"topology: root + 2 clusters × 2 workers ready in {topology.StartupTime.TotalSeconds:0.0} s");
        using var api = await topology.ApiAsync();
        var deploy = await topology.CliAsync("app", "deploy", Descriptor(topology.StateDir), "--watch", "--timeout", "60");
        if (deploy.ExitCode != 0)
        {
            throw new InvalidOperationException("deploy failed: " + deploy);
        }

        var services = await ServicesAsync(api);
        var sink = await RunningAsync(api, services["sink"], 1);
        await RunningAsync(api, services["source"], 1);
        var sinkIp = sink[0].InstanceIp ?? throw new InvalidOperationException("the sink shows no instance IP");
        var sinkNs = $"/proc/{SinglePid("httpd -f -p 8080 -h /www")}/ns/net";
        var sourceNs = $"/proc/{SinglePid("sleep 4242")}/ns/net";

        await ThroughputAsync(topology, sinkIp, sinkNs, sourceNs);
        ConnectionSetup(sourceNs, sinkIp, runs: 1000);
        await ConvergenceAsync(topology, api, services["web"], runs);
        await KernelObjectsAsync(topology.Host("c0w0"));
    }

    private static async Task ThroughputAsync(Topology topology, string sinkIp, string sinkNs, string sourceNs)
    {
        var overlay = await IperfAsync(sinkNs, sourceNs, sinkIp);
        var from = topology.Host("c0w0");
        var to = topology.Host("c1w0");
        var sinkSubnet = await RouteAsync(from, sinkIp);
        var sourceIp = NetworkNamespace.Run(sourceNs, () => LocalAddressTowards(sinkIp));
        var sourceSubnet = await RouteAsync(to, sourceIp);

        // The same two containers, routed plainly over the underlay (no VXLAN), for the comparison; the overlay routes come back after.
        await ReplaceRouteAsync(from, $"{sinkSubnet.Split(' ')[0]} via {to.Ip} dev eth0");
        await ReplaceRouteAsync(to, $"{sourceSubnet.Split(' ')[0]} via {from.Ip} dev eth0");
        double plain;
        try
        {
            plain = await IperfAsync(sinkNs, sourceNs, sinkIp);
        }
        catch (TimeoutException)
        {
            plain = double.NaN; // the plain routes did not carry the test: reported as such
        }
        finally
        {
            await ReplaceRouteAsync(from, sinkSubnet);
            await ReplaceRouteAsync(to, sourceSubnet);
        }

        var hosts = await IperfAsync($"/run/netns/{to.Namespace}", $"/run/netns/{from.Namespace}", to.Ip);
        Console.WriteLine($"throughput container → container across clusters (iperf3, 5 s, 1 stream):");
        Console.WriteLine($"  VXLAN overlay: {overlay:0.00} Gbit/s; same containers routed plainly: {plain:0.00} Gbit/s ({overlay / plain * 100:0} %)");
        Console.WriteLine($"  (worker → worker namespace over the bridge: {hosts:0.00} Gbit/s)");
    }

    private static void ConnectionSetup(string sourceNs, string sinkIp, int runs)
    {
        var (viaService, direct) = NetworkNamespace.Run(sourceNs, () => (Connects("10.30.40.1", runs), Connects(sinkIp, runs)));
        Console.WriteLine($"TCP connection set-up from a container to a container on another cluster ({runs} connections each):");
        Console.WriteLine($"  through the service IP: {Micro(viaService)}");
        Console.WriteLine($"  straight to the instance IP: {Micro(direct)}");
    }

    /// <summary>
    /// Per run: instance 1 of web (exec, behind rr_ip 10.30.40.2) is SIGKILLed while a process on another cluster's worker
    /// connects every 5 ms. Measured there: kill → the last connection that still went to the dead instance; and the restarted
    /// instance accepting on its own address → the first connection through the service IP that reaches it.
    /// </summary>
    private static async Task ConvergenceAsync(Topology topology, HttpClient api, string webId, int runs)
    {
        await TopologyScale(topology, 2);
        await RunningAsync(api, webId, 2);
        var web1 = (await api.GetFromJsonAsync<ServiceDocument>($"api/service/{webId}", CanopyJson.Options))!.InstanceList.Single(i => i.InstanceNumber == 1);
        var node = topology.Host(web1.NodeName!);
        // c0w0 runs an instance of the application (the source), so its kernel routes the application's service IPs.
        var client = $"/run/netns/{topology.Host("c0w0").Namespace}";
        var gone = new List<double>();
        var back = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            await Wait.UntilAsync(() => Task.FromResult(NetworkNamespace.Run(client, () => Answer("10.30.40.2", 18100)) is not null), TimeSpan.FromSeconds(10), "web answering");
            var pid = SinglePid("httpd -f -p 18101 ");
            var result = NetworkNamespace.Run(client, () =>
            {
                var clock = Stopwatch.StartNew();
                Signals.Kill(pid, Signals.SigKill);
                double lastDead = 0, upDirect = -1, reached = -1;
                while (clock.Elapsed < TimeSpan.FromSeconds(30) && reached < 0)
                {
                    var answer = Answer("10.30.40.2", 18100);
                    if (answer is null && upDirect < 0)
                    {
                        lastDead = clock.Elapsed.TotalMilliseconds;
                    }

                    if (upDirect < 0 && Answer(node.Ip, 18101) is not null)
                    {
                        upDirect = clock.Elapsed.TotalMilliseconds;
                    }

                    if (upDirect >= 0 && answer == "web 1")
                    {
                        reached = clock.Elapsed.TotalMilliseconds - upDirect;
                    }

                    Thread.Sleep(5);
                }

                return (lastDead, reached);
            });
            gone.Add(result.lastDead);
            back.Add(result.reached);
        }

        Console.WriteLine($"an exec instance SIGKILLed, seen from a worker of the other cluster (connections every 5 ms, {runs} runs):");
        Console.WriteLine($"  kill → last connection that went to the dead instance: {Stats.Summary(gone)}");
        Console.WriteLine($"  restarted instance accepting → first connection through the service IP reaching it: {Stats.Summary(back)}");
    }

    private static async Task KernelObjectsAsync(TopologyHost host)
    {
        var nft = await host.ExecAsync("nft", "list", "ruleset");
        var routes = await host.ExecAsync("ip", "route", "show");
        var fdb = await host.ExecAsync("bridge", "fdb", "show");
        Console.WriteLine($"kernel objects on {host.Name}: nftables {nft.StdOut.Split('\n').Count(l => l.Contains("dnat") || l.Contains(" : "))} dnat lines, " +
                          $"{routes.StdOut.Split('\n').Count(l => l.Contains("cnv"))} overlay routes, {fdb.StdOut.Split('\n').Count(l => l.Contains("cnv") && l.Contains("dst"))} FDB entries");
    }

    private static Task TopologyScale(Topology topology, int instances) =>
        topology.CliAsync("service", "scale", "netbench.bench.web.bench", instances.ToString());

    /// <summary>One HTTP GET's body (busybox httpd closes after the answer), or null when the connection fails.</summary>
    private static string? Answer(string ip, int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 1000, SendTimeout = 1000 };
            socket.Connect(new IPEndPoint(IPAddress.Parse(ip), port));
            socket.Send("GET / HTTP/1.0\r\n\r\n"u8);
            using var stream = new NetworkStream(socket);
            var text = new StreamReader(stream).ReadToEnd();
            var body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            return body < 0 ? null : text[(body + 4)..].Trim();
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return null;
        }
    }

    private static List<double> Connects(string ip, int runs)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(ip), 8080);
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var clock = Stopwatch.StartNew();
            socket.Connect(endpoint);
            times.Add(clock.Elapsed.TotalMilliseconds);
            socket.LingerState = new LingerOption(true, 0); // RST on close: no TIME_WAIT pile-up over 1,000 connections
        }

        return times;
    }

    private static string Micro(List<double> ms) =>
        $"median {Stats.Percentile(ms, 50) * 1000:0} µs, p95 {Stats.Percentile(ms, 95) * 1000:0} µs";

    private static string LocalAddressTowards(string ip)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(IPAddress.Parse(ip), 9);
        return ((IPEndPoint)socket.LocalEndPoint!).Address.ToString();
    }

    internal static async Task<double> IperfAsync(string serverNs, string clientNs, string serverIp)
    {
        using var server = Process.Start(new ProcessStartInfo("timeout", ["60", "nsenter", $"--net={serverNs}", "iperf3", "-s", "-1", "-p", "5201"])
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        JsonDocument? report = null;
        await Wait.UntilAsync(async () =>
        {
            var run = await Run("timeout", "20", "nsenter", $"--net={clientNs}", "iperf3", "-c", serverIp, "-p", "5201", "-t", "5", "-J", "--connect-timeout", "3000");
            // iperf3 -J reports a failed connection (server not listening yet) as {"error": ...}: try again.
            if (run.ExitCode == 0 && JsonDocument.Parse(run.StdOut) is var json && !json.RootElement.TryGetProperty("error", out _))
            {
                report = json;
            }

            return report is not null;
        }, TimeSpan.FromSeconds(30), $"iperf3 to {serverIp}");
        await server.WaitForExitAsync();
        return report!.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble() / 1e9;
    }

    private static async Task<string> RouteAsync(TopologyHost host, string ip)
    {
        var route = await host.ExecAsync("ip", "route", "show", "match", ip);
        return route.StdOut.Split('\n').Where(l => l.Contains("cnv")).Select(l => l.Trim()).FirstOrDefault()
               ?? throw new InvalidOperationException($"{host.Name} has no overlay route to {ip}: {route.StdOut}");
    }

    private static async Task ReplaceRouteAsync(TopologyHost host, string route)
    {
        var result = await host.ExecAsync(["ip", "route", "replace", .. route.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip route replace {route} on {host.Name}: {result.StdErr}");
        }
    }

    private static Task<CliResult> Run(params string[] command) => Sh.RunAsync(command);

    private static int SinglePid(string commandLine)
    {
        var pids = Topology.PidsWithCommandLine(commandLine);
        return pids.Count == 1 ? pids[0] : throw new InvalidOperationException($"{pids.Count} processes run '{commandLine}'");
    }

    private static async Task<Dictionary<string, string>> ServicesAsync(HttpClient api)
    {
        var apps = await api.GetFromJsonAsync<List<ApplicationDocument>>("api/applications/", CanopyJson.Options);
        var result = new Dictionary<string, string>();
        foreach (var id in apps!.Single(a => a.ApplicationName == "netbench").Microservices)
        {
            result[(await api.GetFromJsonAsync<ServiceDocument>($"api/service/{id}", CanopyJson.Options))!.MicroserviceName] = id;
        }

        return result;
    }

    private static async Task<IReadOnlyList<InstanceDocument>> RunningAsync(HttpClient api, string id, int count) =>
        (await Wait.ForAsync(() => api.GetFromJsonAsync<ServiceDocument>($"api/service/{id}", CanopyJson.Options)!,
            s => s!.InstanceList.Count == count && s.InstanceList.All(i => i.Status == InstanceStatus.Running),
            TimeSpan.FromSeconds(60), $"{count} instances of {id} RUNNING"))!.InstanceList;

    private static string Descriptor(string dir)
    {
        var path = Path.Combine(dir, "netbench.json");
        File.WriteAllText(path, $$"""
        {
          "sla_version": "v2.0",
          "customerID": "Admin",
          "applications": [{
            "application_name": "netbench",
            "application_namespace": "bench",
            "microservices": [
              { "microservice_name": "sink", "microservice_namespace": "bench", "virtualization": "container", "code": "{{Image}}",
                "cmd": ["httpd", "-f", "-p", "8080", "-h", "/www"], "memory": 64, "vcpus": 0.5, "port": "",
                "addresses": { "rr_ip": "10.30.40.1" }, "constraints": [{ "type": "direct", "cluster": "cluster-1", "node": "c1w0" }] },
              { "microservice_name": "source", "microservice_namespace": "bench", "virtualization": "container", "code": "{{Image}}",
                "cmd": ["sleep", "4242"], "memory": 64, "vcpus": 0.5, "port": "",
                "constraints": [{ "type": "direct", "cluster": "cluster-0", "node": "c0w0" }] },
              { "microservice_name": "web", "microservice_namespace": "bench", "virtualization": "exec",
                "cmd": ["sh", "-c", "d=$(mktemp -d) && echo \"web $CANOPY_INSTANCE\" > $d/index.html && exec busybox httpd -f -p $PORT -h $d"],
                "memory": 16, "vcpus": 0.1, "port": "18100", "addresses": { "rr_ip": "10.30.40.2" },
                "constraints": [{ "type": "direct", "cluster": "cluster-1", "node": "c1w1" }] }
            ]
          }]
        }
        """);
        return path;
    }
}
