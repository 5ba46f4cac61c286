using System.Globalization;
using Canopy.Testing;
using Xunit.Abstractions;

namespace Canopy.EndToEnd.Tests.Topology;

/// <summary>
/// The encrypted overlay (`canopy cluster --overlay-encryption`) between two workers in their own network namespaces: a service
/// reaches a service on the other worker by its service IP, through each node's wireguard-go device (bytes and a handshake
/// with the other node as its peer), and nothing of WireGuard outlives the topology.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TopologyEncryptionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ServiceIp_AcrossWorkers_GoesThroughWireGuard_AndNoWireGuardOutlivesTheTopology()
    {
        ContainerRequirements.Check();
        foreach (var (tool, package) in new[] { ("/usr/bin/wireguard-go", "wireguard-go"), ("/usr/bin/wg", "wireguard-tools") })
        {
            if (!File.Exists(tool))
            {
                Assert.Fail($"{tool} not found: apt-get install {package} (scripts/install-deps.sh does).");
            }
        }

        await using var topology = await Canopy.Testing.Topology.StartAsync(clusters: 1, workers: 2,
            hostArgs: new Dictionary<string, string[]> { ["c0"] = ["--overlay-encryption"] });
        var wireguards = new List<int>();
        var devices = new List<string>();
        await topology.RunAsync(async () =>
        {
            var (server, caller) = (topology.Host("c0w0"), topology.Host("c0w1"));
            server.ForwardLoopback(5000);
            var deploy = await topology.CliAsync("app", "deploy", NetworkSlas.Encrypted(topology.StateDir), "--watch", "--timeout", "60");
            deploy.ExitCode.ShouldBe(0, deploy.ToString());

            // The exec caller on c0w1 gets the container's page on c0w0 by the service IP.
            var log = await Wait.ForAsync(() => topology.CliAsync("logs", "sealed.topo.caller.topo"),
                r => r.StdOut.Contains("by ip: <h1>hello from canopy/busybox"), TimeSpan.FromSeconds(60),
                "the caller's log showing the server's page through 10.30.30.50");
            output.WriteLine(log.StdOut.Split('\n').Last(l => l.Contains("hello")));

            // Each worker has its wireguard-go device, with the other worker as its peer: a handshake done and bytes both ways.
            var tunnels = new Dictionary<TopologyHost, Tunnel>();
            foreach (var worker in new[] { server, caller })
            {
                tunnels[worker] = await TunnelOfAsync(worker);
                devices.Add(tunnels[worker].Device);
                wireguards.AddRange(tunnels[worker].WireGuardPids);
            }

            foreach (var (worker, peer) in new[] { (server, caller), (caller, server) })
            {
                var device = tunnels[worker].Device;
                var transfer = (await worker.ExecAsync("wg", "show", device, "transfer")).StdOut;
                var handshakes = (await worker.ExecAsync("wg", "show", device, "latest-handshakes")).StdOut;
                output.WriteLine($"{worker.Name} {device}: transfer {transfer.Trim()}; handshakes {handshakes.Trim()}");
                var bytes = PeerLine(transfer, tunnels[peer].PublicKey, $"{worker.Name}'s {device} has {peer.Name} as its peer");
                long.Parse(bytes[1], CultureInfo.InvariantCulture).ShouldBeGreaterThan(0, $"{worker.Name} received through WireGuard from {peer.Name}");
                long.Parse(bytes[2], CultureInfo.InvariantCulture).ShouldBeGreaterThan(0, $"{worker.Name} sent through WireGuard to {peer.Name}");
                long.Parse(PeerLine(handshakes, tunnels[peer].PublicKey, "a handshake line")[1], CultureInfo.InvariantCulture)
                    .ShouldBeGreaterThan(0, $"{worker.Name} completed a handshake with {peer.Name}");

                // Plain VXLAN is dropped on arrival: what reached the server came out of the tunnel.
                var guard = await worker.ExecAsync("nft", "list", "table", "inet", "canopy_wg_" + device["cnw".Length..]);
                guard.ExitCode.ShouldBe(0, $"{worker.Name}'s guard table: {guard}");
                guard.StdOut.ShouldContain($"iifname != \"{device}\"");
            }
        }, output.WriteLine, h => h.Role is "node" or "cluster");

        // Down removed the namespaces; their wireguard-go processes (daemons, not children of the node engine) went with them.
        wireguards.ShouldNotBeEmpty();
        await Wait.UntilAsync(() => Task.FromResult(!wireguards.Any(Signals.IsAlive)), TimeSpan.FromSeconds(10), "the workers' wireguard-go to end");
        foreach (var device in devices)
        {
            Canopy.Testing.Topology.PidsWithCommandLine("wireguard-go " + device).ShouldBeEmpty();
            File.Exists(Canopy.Testing.Topology.WireGuardSocket(device)).ShouldBeFalse($"{device}'s control socket left behind");
        }

        Canopy.Testing.Topology.Leftovers(topology.Tag).ShouldBeEmpty();
    }

    private sealed record Tunnel(string Device, string PublicKey, IReadOnlyList<int> WireGuardPids);

    /// <summary>The worker's one <c>cnw…</c> device, its public key, and the wireguard-go processes in its namespace.</summary>
    private static async Task<Tunnel> TunnelOfAsync(TopologyHost worker)
    {
        var device = Canopy.Testing.Topology.WireGuardDevices(worker.Namespace).ShouldHaveSingleItem($"one WireGuard device on {worker.Name}");
        var publicKey = (await worker.ExecAsync("wg", "show", device, "public-key")).StdOut.Trim();
        publicKey.ShouldNotBeNullOrEmpty();
        var pids = Sh.Output("ip", "netns", "pids", worker.Namespace).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture))
            .Where(p => CommandLine(p).Contains("wireguard-go " + device, StringComparison.Ordinal)).ToList();
        pids.ShouldNotBeEmpty($"wireguard-go runs {device} in {worker.Namespace}");
        return new Tunnel(device, publicKey, pids);
    }

    /// <summary>The tab-separated fields of the line of <c>wg show</c> output that starts with <paramref name="publicKey"/>.</summary>
    private static string[] PeerLine(string wgOutput, string publicKey, string what) =>
        wgOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))
            .Where(f => f[0] == publicKey).ToList().ShouldHaveSingleItem(what + ":\n" + wgOutput);

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}
