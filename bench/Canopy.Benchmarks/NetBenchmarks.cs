using System.Diagnostics;
using System.Text.RegularExpressions;
using Canopy.Contracts.Net;
using Canopy.Net;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>
/// The node's kernel data path at size: one node (a network namespace with a veth pair as underlay) given a table of 100 services
/// with 3 instances each on 100 peers. Reports the time of one apply (render + one nft transaction), the script's size and
/// the kernel objects it makes. Root only.
/// </summary>
internal static partial class NetBenchmarks
{
    public static async Task ApplyAsync(int runs, int services = 100, int instancesPerService = 3, int peers = 100)
    {
        var ns = "cnb" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..6];
        var key = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..8];
        Sh.Run("ip", "netns", "add", ns);
        var network = new NodeNetwork();
        try
        {
            Sh.Run("ip", "-n", ns, "link", "add", "underlay", "type", "veth", "peer", "name", "underlay-end");
            Sh.Run("ip", "-n", ns, "addr", "add", "10.202.0.1/16", "dev", "underlay");
            Sh.Run("ip", "-n", ns, "link", "set", "underlay", "up");
            await network.PrepareAsync(new NodeNetSettings(key, "10.202.0.1") { NetNamespace = "/run/netns/" + ns }, CancellationToken.None);
            await network.SetIdentityAsync("node-0", "10.18.0.0/26", CancellationToken.None);

            var table = Table(services, instancesPerService, peers, change: 0);
            var started = Stopwatch.GetTimestamp();
            await network.ApplyAsync(table, CancellationToken.None);
            var first = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            var render = new List<double>();
            var applies = new List<double>();
            for (var run = 1; run <= runs; run++)
            {
                var changed = Table(services, instancesPerService, peers, change: run);
                started = Stopwatch.GetTimestamp();
                var script = NftRules.Render(key, "node-0", changed, network.Latency);
                render.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                started = Stopwatch.GetTimestamp();
                await network.ApplyAsync(changed, CancellationToken.None);
                applies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                GC.KeepAlive(script);
            }

            var rules = network.AppliedRules ?? "";
            var listed = Sh.Output("ip", "netns", "exec", ns, "nft", "-a", "list", "table", "ip", NetNames.Table(key));
            var device = NetNames.Device(key);
            Console.WriteLine($"## Net data path: {services} services x {instancesPerService} instances, {peers} peers");
            Console.WriteLine($"first apply (overlay + rules): {first:0.0} ms");
            Console.WriteLine($"one change (render + nft -f): median {Stats.Percentile(applies, 50):0.0} ms, p95 {Stats.Percentile(applies, 95):0.0} ms (n={runs}); render alone median {Stats.Percentile(render, 50):0.00} ms");
            Console.WriteLine($"nft script: {rules.Length} bytes, {rules.Count(c => c == '\n')} lines");
            Console.WriteLine($"kernel: {HandleRegex().Count(listed)} rules/chains/sets with handles, {MapElementRegex().Count(listed)} map elements, " +
                $"{Lines(ns, "ip", "route", "show", "dev", device)} routes, {Lines(ns, "ip", "neigh", "show", "dev", device)} neighbours, " +
                $"{Lines(ns, "bridge", "fdb", "show", "dev", device)} fdb entries");
        }
        finally
        {
            await network.RemoveAsync(CancellationToken.None);
            await network.DisposeAsync();
            Sh.Try("ip", "netns", "del", ns);
        }
    }

    /// <summary>Instances on peers chosen by a fixed rule; <paramref name="change"/> moves one instance to another address.</summary>
    private static NodeNetTable Table(int services, int instancesPerService, int peers, int change) => new()
    {
        Version = change,
        Peers = Enumerable.Range(1, peers).Select(p => new NetPeer
        {
            NodeId = $"node-{p}",
            Ip = $"10.202.{p / 250 + 1}.{p % 250 + 1}",
            Subnet = Subnet(p),
            VtepMac = $"02:63:00:00:{p / 256:x2}:{p % 256:x2}",
        }).ToList(),
        Services = Enumerable.Range(0, services).Select(s => new NetService
        {
            ServiceId = $"svc-{s}",
            AppName = "bench",
            AppNs = "default",
            ServiceName = $"s{s}",
            ServiceNs = "default",
            RrIp = $"10.30.{s / 250}.{s % 250 + 1}",
            Instances = Enumerable.Range(0, instancesPerService).Select(i =>
            {
                var peer = (s * instancesPerService + i) % peers + 1;
                var host = s == change % services && i == 0 ? 10 + (change % 40) : 2 + i;
                return new NetInstance { InstanceNumber = i, NodeId = $"node-{peer}", Address = Host(peer, host) };
            }).ToList(),
        }).ToList(),
    };

    private static string Subnet(int peer) => $"{Host(peer, 0)}/26";

    private static string Host(int peer, int host)
    {
        var address = (10u << 24) | (18u << 16) | (uint)(peer * 64 + host);
        return $"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}";
    }

    private static int Lines(string ns, params string[] command) =>
        Sh.Output("ip", ["netns", "exec", ns, .. command]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    [GeneratedRegex(@"# handle \d+")]
    private static partial Regex HandleRegex();

    [GeneratedRegex(@"\d+ : \d+\.\d+\.\d+\.\d+")]
    private static partial Regex MapElementRegex();
}
