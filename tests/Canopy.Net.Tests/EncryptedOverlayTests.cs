using System.Text.RegularExpressions;
using Canopy.Core.Addressing;
using Canopy.Testing;
using static Canopy.Net.Tests.Tables;

namespace Canopy.Net.Tests;

/// <summary>
/// The encrypted overlay for real: two nodes in network namespaces, each with wireguard-go; nftables counters on the underlay
/// show what crosses it.
/// </summary>
public sealed partial class EncryptedOverlayTests
{
    [Fact]
    public async Task Traffic_between_encrypting_nodes_crosses_the_underlay_only_as_wireguard()
    {
        NetLab.RequireWireGuard();
        await using var lab = await NetLab.StartAsync();
        await lab.A.EncryptAsync();
        await lab.B.EncryptAsync();
        var container = await lab.StartContainerOnBAsync("served through the tunnel");
        var service = lab.ServiceIp(20);
        var underlay = "nka" + lab.Tag;
        CountUnderlay(lab, underlay, lab.B.Overlay!.WgPort);

        await lab.ApplyBothAsync(Service("server", service, null, Container(0, lab.B.Id, container)));

        var answer = await NetLab.GetAsync(lab.A.Namespace, $"http://{service}:8080/");

        answer.StdOut.ShouldBe("served through the tunnel", answer.ToString());
        Counter(lab, "wireguard").ShouldBeGreaterThan(0, "the exchange went through WireGuard");
        Counter(lab, "vxlan").ShouldBe(0, "no VXLAN on the underlay");
        Counter(lab, "tcp").ShouldBe(0, "no TCP (the HTTP exchange) in clear on the underlay");

        lab.A.Overlay!.Mtu.ShouldBe(1500 - 60 - 50);
        lab.A.Overlay.WgPublicKey.ShouldNotBeNullOrEmpty();
        File.GetUnixFileMode(lab.A.KeyFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var tunnel = NetNames.TunnelDevice(lab.A.Key);
        lab.A.Run("ip", "addr", "show", "dev", tunnel).ShouldContain(TunnelAddresses.Of(lab.A.Subnet) + "/32");
        lab.A.Run("bridge", "fdb", "show", "dev", NetNames.Device(lab.A.Key)).ShouldContain($"dst {TunnelAddresses.Of(lab.B.Subnet)} ");
        lab.A.Run("wg", "show", tunnel, "peers").Trim().ShouldBe(lab.B.Overlay.WgPublicKey);
    }

    [Fact]
    public async Task A_plain_node_and_an_encrypting_node_are_not_connected_and_plain_vxlan_is_dropped()
    {
        NetLab.RequireWireGuard();
        await using var lab = await NetLab.StartAsync();
        await lab.A.EncryptAsync();
        var container = await lab.StartContainerOnBAsync("must not be reached in clear");
        var service = lab.ServiceIp(21);

        await lab.ApplyBothAsync(Service("server", service, null, Container(0, lab.B.Id, container)));

        lab.A.Run("bridge", "fdb", "show", "dev", NetNames.Device(lab.A.Key)).ShouldNotContain(lab.B.Overlay!.VtepMac);
        lab.B.Run("bridge", "fdb", "show", "dev", NetNames.Device(lab.B.Key)).ShouldNotContain(lab.A.Overlay!.VtepMac);
        (await NetLab.GetAsync(lab.A.Namespace, $"http://{service}:8080/")).ExitCode.ShouldNotBe(0);

        // Even a plain VXLAN packet sent by hand to the encrypting node is dropped before its VXLAN device sees it.
        lab.B.Run("bash", "-c", $"printf 'plain' > /dev/udp/{lab.A.Ip}/{lab.A.Overlay.Port} || true");
        lab.A.Run("nft", "list", "table", "inet", NetNames.TunnelGuardTable(lab.A.Key)).ShouldMatch(@"udp dport \d+ counter packets [1-9]");

        // Back to plain: the tunnel and its guard go, the two nodes connect.
        lab.A.Overlay = await lab.A.Network.SetEncryptionAsync(null, CancellationToken.None);
        lab.A.Overlay.WgPublicKey.ShouldBeNull();
        await lab.ApplyBothAsync(Service("server", service, null, Container(0, lab.B.Id, container)));
        (await NetLab.GetAsync(lab.A.Namespace, $"http://{service}:8080/")).StdOut.ShouldBe("must not be reached in clear");
        lab.A.Run("ip", "link").ShouldNotContain(NetNames.TunnelDevice(lab.A.Key));
    }

    [Fact]
    public async Task Remove_leftovers_takes_the_tunnel_and_its_guard_too()
    {
        NetLab.RequireWireGuard();
        await using var lab = await NetLab.StartAsync();
        await lab.B.EncryptAsync();

        NodeNetwork.RemoveLeftovers(lab.B.Key, "/run/netns/" + lab.B.Namespace).ShouldBe(4);

        lab.B.Run("ip", "link").ShouldNotContain(NetNames.TunnelDevice(lab.B.Key));
        lab.B.Run("nft", "list", "tables").ShouldNotContain(NetNames.TunnelGuardTable(lab.B.Key));
    }

    /// <summary>Named counters in A's namespace for what crosses its underlay link, both ways.</summary>
    private static void CountUnderlay(NetLab lab, string link, int wireGuardPort)
    {
        var table = "canopy_probe_" + lab.Tag;
        var rules = $$"""
            table inet {{table}} {
              counter cnt_vxlan {}
              counter cnt_wireguard {}
              counter cnt_tcp {}
              chain watch_in {
                type filter hook input priority -300; policy accept;
                iifname "{{link}}" udp dport 4789-4889 counter name cnt_vxlan
                iifname "{{link}}" udp sport {{wireGuardPort}} counter name cnt_wireguard
                iifname "{{link}}" meta l4proto tcp counter name cnt_tcp
              }
              chain watch_out {
                type filter hook output priority -300; policy accept;
                oifname "{{link}}" udp dport 4789-4889 counter name cnt_vxlan
                oifname "{{link}}" udp dport {{wireGuardPort}} counter name cnt_wireguard
                oifname "{{link}}" meta l4proto tcp counter name cnt_tcp
              }
            }

            """;
        var file = Path.Combine(Path.GetTempPath(), $"canopy-probe-{lab.Tag}.nft");
        File.WriteAllText(file, rules);
        try
        {
            Sh.Run("nsenter", "--net=/run/netns/" + lab.A.Namespace, "nft", "-f", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static long Counter(NetLab lab, string name)
    {
        var text = lab.A.Run("nft", "list", "counter", "inet", "canopy_probe_" + lab.Tag, "cnt_" + name);
        return long.Parse(Packets().Match(text).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"packets (\d+)")]
    private static partial Regex Packets();
}
