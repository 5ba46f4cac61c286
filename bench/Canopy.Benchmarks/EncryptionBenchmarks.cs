using Canopy.Contracts.Net;
using Canopy.Net;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>
/// The encrypted overlay's price: two nodes (network namespaces over a veth underlay), iperf3 from A to B's overlay address over
/// the plain VXLAN overlay, then with both nodes carrying it through WireGuard (wireguard-go), and the underlay alone for scale.
/// Root, iperf3, wireguard-go and wg.
/// </summary>
internal static partial class NetBenchmarks
{
    public static async Task EncryptionAsync()
    {
        var tag = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..6];
        var dir = Directory.CreateTempSubdirectory("canopy-bench-wg-").FullName;
        var nodes = new[] { ("a", "10.203.0.1", "10.18.0.0/26"), ("b", "10.203.0.2", "10.18.0.64/26") }
            .Select(n => (Ns: $"cwb{tag}{n.Item1}", Ip: n.Item2, Subnet: n.Item3, Key: Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..8],
                Network: new NodeNetwork()))
            .ToArray();
        try
        {
            foreach (var node in nodes)
            {
                Sh.Run("ip", "netns", "add", node.Ns);
                Sh.Run("ip", "-n", node.Ns, "link", "set", "lo", "up");
            }

            Sh.Run("ip", "link", "add", "cwa" + tag, "netns", nodes[0].Ns, "type", "veth", "peer", "name", "cwb" + tag, "netns", nodes[1].Ns);
            var overlays = new NodeOverlay[2];
            for (var i = 0; i < 2; i++)
            {
                var link = (i == 0 ? "cwa" : "cwb") + tag;
                Sh.Run("ip", "-n", nodes[i].Ns, "addr", "add", nodes[i].Ip + "/24", "dev", link);
                Sh.Run("ip", "-n", nodes[i].Ns, "link", "set", link, "up");
                overlays[i] = await nodes[i].Network.PrepareAsync(
                    new NodeNetSettings(nodes[i].Key, nodes[i].Ip) { NetNamespace = "/run/netns/" + nodes[i].Ns }, CancellationToken.None);
                await nodes[i].Network.SetIdentityAsync("node-" + i, nodes[i].Subnet, CancellationToken.None);
            }

            async Task ConnectAsync()
            {
                for (var i = 0; i < 2; i++)
                {
                    var other = nodes[1 - i];
                    var peer = new NetPeer
                    {
                        NodeId = "node-" + (1 - i),
                        Ip = other.Ip,
                        Subnet = other.Subnet,
                        VtepMac = overlays[1 - i].VtepMac,
                        OverlayPort = overlays[1 - i].Port,
                        WgPublicKey = overlays[1 - i].WgPublicKey,
                        WgPort = overlays[1 - i].WgPort,
                    };
                    await nodes[i].Network.ApplyAsync(new NodeNetTable { Version = DateTime.UtcNow.Ticks, Peers = [peer] }, CancellationToken.None);
                }
            }

            // B's VXLAN device has the first address of its /26: reached from A only over the overlay.
            var server = "10.18.0.65";
            await ConnectAsync();
            var underlay = await NetworkBenchmarks.IperfAsync("/run/netns/" + nodes[1].Ns, "/run/netns/" + nodes[0].Ns, nodes[1].Ip);
            var plain = await NetworkBenchmarks.IperfAsync("/run/netns/" + nodes[1].Ns, "/run/netns/" + nodes[0].Ns, server);
            for (var i = 0; i < 2; i++)
            {
                overlays[i] = await nodes[i].Network.SetEncryptionAsync(new OverlayEncryption(Path.Combine(dir, $"{i}.key")), CancellationToken.None);
            }

            await ConnectAsync();
            var encrypted = await NetworkBenchmarks.IperfAsync("/run/netns/" + nodes[1].Ns, "/run/netns/" + nodes[0].Ns, server);
            Console.WriteLine("throughput node → node over the overlay (iperf3, 5 s, 1 stream, two network namespaces over a veth):");
            Console.WriteLine($"  plain VXLAN overlay: {plain:0.00} Gbit/s (MTU {1500 - NetNames.OverlayOverhead})");
            Console.WriteLine($"  VXLAN through WireGuard (wireguard-go): {encrypted:0.00} Gbit/s (MTU {overlays[0].Mtu}), {encrypted / plain * 100:0} % of plain");
            Console.WriteLine($"  (the veth underlay alone: {underlay:0.00} Gbit/s)");
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.Network.RemoveAsync(CancellationToken.None);
                await node.Network.DisposeAsync();
                Sh.Try("ip", "netns", "del", node.Ns);
            }

            Directory.Delete(dir, recursive: true);
        }
    }
}
