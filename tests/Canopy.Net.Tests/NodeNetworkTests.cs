using Canopy.Contracts.Net;
using Canopy.Testing;
using Xunit.Abstractions;
using static Canopy.Net.Tests.Tables;

namespace Canopy.Net.Tests;

/// <summary>
/// The kernel data path for real, as root: two nodes in network namespaces over a veth underlay, a VXLAN overlay between
/// them, service IPs translated by nftables.
/// </summary>
public class NodeNetworkTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_host_process_reaches_a_container_on_another_node_through_the_service_ip_over_the_overlay()
    {
        await using var lab = await NetLab.StartAsync();
        var container = await lab.StartContainerOnBAsync("served by the container on B");
        var service = lab.ServiceIp(10);
        await lab.A.Network.ApplyAsync(new NodeNetTable
        {
            Version = 1,
            Services = [Service("server", service, null, Container(0, lab.B.Id, container))],
            Peers = [lab.B.Peer],
        }, CancellationToken.None);
        await lab.B.Network.ApplyAsync(new NodeNetTable { Version = 1, Peers = [lab.A.Peer] }, CancellationToken.None);

        var answer = await NetLab.GetAsync(lab.A.Namespace, $"http://{service}:8080/");

        answer.StdOut.ShouldBe("served by the container on B", answer.ToString());
        lab.A.Overlay!.Mtu.ShouldBe(1450);
        var device = lab.A.Run("ip", "-d", "link", "show", NetNames.Device(lab.A.Key));
        device.ShouldContain($"vxlan id 4242 local {lab.A.Ip} ");
        device.ShouldContain("dstport 4789 nolearning");
        device.ShouldContain(NetNames.VtepMac(lab.A.Key));
    }

    [Fact]
    public async Task Exec_instances_on_both_nodes_share_the_connections_round_robin_with_their_ports_translated()
    {
        await using var lab = await NetLab.StartAsync();
        var (onA, onB) = await StartExecServersAsync(lab);
        var service = lab.ServiceIp(11);
        await lab.ApplyBothAsync(Service("server", service, null, onA, onB));

        var answers = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var answer = await NetLab.GetAsync(lab.A.Namespace, $"http://{service}:8080/");
            answer.ExitCode.ShouldBe(0, answer.ToString());
            answers.Add(answer.StdOut);
        }

        answers.Count(a => a == "A").ShouldBe(5, string.Join(",", answers));
        answers.Count(a => a == "B").ShouldBe(5, string.Join(",", answers));
    }

    [Fact]
    public async Task A_table_without_a_peer_removes_its_entries_and_remove_leaves_nothing_of_ours()
    {
        await using var lab = await NetLab.StartAsync();
        var device = NetNames.Device(lab.A.Key);
        var service = lab.ServiceIp(12);
        await lab.A.Network.ApplyAsync(new NodeNetTable
        {
            Version = 1,
            Services = [Service("server", service, null, Container(0, lab.B.Id, "10.18.0.66"))],
            Peers = [lab.B.Peer],
        }, CancellationToken.None);
        lab.A.Run("ip", "route", "show", "dev", device).ShouldContain("10.18.0.64/26 via 10.18.0.65");
        lab.A.Run("bridge", "fdb", "show", "dev", device).ShouldContain(lab.B.Overlay!.VtepMac);

        await lab.A.Network.ApplyAsync(new NodeNetTable { Version = 2, Services = [Service("server", service)] }, CancellationToken.None);

        lab.A.Run("ip", "route", "show", "dev", device).ShouldNotContain("10.18.0.64");
        lab.A.Run("ip", "neigh", "show", "dev", device).ShouldNotContain("10.18.0.65");
        lab.A.Run("bridge", "fdb", "show", "dev", device).ShouldNotContain(lab.B.Overlay.VtepMac);
        var rules = lab.A.Run("nft", "list", "table", "ip", NetNames.Table(lab.A.Key));
        rules.ShouldNotContain("10.18.0.66");
        rules.ShouldContain(service);
        var refused = await NetLab.GetAsync(lab.A.Namespace, $"http://{service}:8080/");
        refused.StdErr.ShouldContain("refused", customMessage: refused.ToString());

        await lab.A.Network.RemoveAsync(CancellationToken.None);

        lab.A.Run("ip", "-d", "link").ShouldNotContain(device);
        lab.A.Run("nft", "list", "tables").ShouldNotContain(NetNames.Table(lab.A.Key));
        var routes = lab.A.Run("ip", "route");
        routes.ShouldNotContain("10.18.");
        routes.ShouldNotContain("10.30.");
        NodeNetwork.RemoveLeftovers(lab.A.Key, "/run/netns/" + lab.A.Namespace).ShouldBe(0);
    }

    [Fact]
    public async Task Remove_leftovers_takes_the_device_and_table_of_a_node_that_is_gone()
    {
        await using var lab = await NetLab.StartAsync();

        NodeNetwork.RemoveLeftovers(lab.B.Key, "/run/netns/" + lab.B.Namespace).ShouldBe(2);

        lab.B.Run("ip", "-d", "link").ShouldNotContain(NetNames.Device(lab.B.Key));
        lab.B.Run("nft", "list", "tables").ShouldNotContain(NetNames.Table(lab.B.Key));
    }

    [Fact]
    public async Task Closest_goes_to_the_own_node_and_falls_back_to_the_remote_instance_when_it_leaves()
    {
        await using var lab = await NetLab.StartAsync();
        var (onA, onB) = await StartExecServersAsync(lab);
        var service = lab.ServiceIp(13);
        var url = $"http://{service}:8080/";
        await lab.ApplyBothAsync(Service("server", null, service, onB with { InstanceNumber = 0 }, onA with { InstanceNumber = 1 }));
        var latency = await Wait.ForAsync(() => Task.FromResult(lab.A.Network.Latency), l => l.ContainsKey(lab.B.Id),
            TimeSpan.FromSeconds(10), "A's round-trip time to B");

        for (var i = 0; i < 3; i++)
        {
            (await NetLab.GetAsync(lab.A.Namespace, url)).StdOut.ShouldBe("A");
        }

        await lab.ApplyBothAsync(Service("server", null, service, onB));

        (await NetLab.GetAsync(lab.A.Namespace, url)).StdOut.ShouldBe("B");
        latency[lab.B.Id].ShouldBeInRange(0.001, 1000);
        output.WriteLine($"A → B round-trip time over the veth underlay: {latency[lab.B.Id]:0.000} ms");
    }

    [Fact]
    public async Task Replacing_the_rules_again_and_again_never_fails_a_connection()
    {
        await using var lab = await NetLab.StartAsync();
        var (onA, onB) = await StartExecServersAsync(lab);
        var service = lab.ServiceIp(14);
        var both = Service("server", service, null, onA, onB);
        var one = both with { Instances = [both.Instances[1]] };
        await lab.ApplyBothAsync(both);

        using var done = new CancellationTokenSource();
        var applies = 0;
        var applying = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested || applies < 50)
            {
                applies++;
                var table = new NodeNetTable { Version = applies, Services = [applies % 2 == 0 ? both : one], Peers = [lab.B.Peer] };
                await lab.A.Network.ApplyAsync(table, CancellationToken.None);
            }
        });
        var failures = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            var answer = await NetLab.GetAsync(lab.A.Namespace, $"http://{service}:8080/");
            if (answer.ExitCode != 0 || answer.StdOut is not ("A" or "B"))
            {
                failures.Add(answer.ToString());
            }
        }

        await done.CancelAsync();
        await applying;

        failures.ShouldBeEmpty();
        applies.ShouldBeGreaterThanOrEqualTo(50);
    }

    [Fact]
    public async Task A_restarted_net_manager_adopts_the_device_and_keeps_the_rules_until_a_new_table_arrives()
    {
        await using var lab = await NetLab.StartAsync();
        var service = lab.ServiceIp(15);
        await lab.A.Network.ApplyAsync(new NodeNetTable { Services = [Service("server", service, null, Container(0, lab.B.Id, "10.18.0.66"))] },
            CancellationToken.None);
        var before = lab.A.Run("ip", "-d", "link", "show", NetNames.Device(lab.A.Key));

        await using var restarted = new NodeNetwork();
        var overlay = await restarted.PrepareAsync(new NodeNetSettings(lab.A.Key, lab.A.Ip) { NetNamespace = "/run/netns/" + lab.A.Namespace },
            CancellationToken.None);

        overlay.ShouldBe(lab.A.Overlay);
        lab.A.Run("ip", "-d", "link", "show", NetNames.Device(lab.A.Key)).Split('\n')[0].ShouldBe(before.Split('\n')[0]);
        lab.A.Run("nft", "list", "table", "ip", NetNames.Table(lab.A.Key)).ShouldContain("10.18.0.66");
    }

    [Fact]
    public async Task A_second_node_in_the_same_namespace_takes_the_next_overlay_port()
    {
        await using var lab = await NetLab.StartAsync();
        await using var second = new NodeNetwork();
        var key = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..8];

        var overlay = await second.PrepareAsync(new NodeNetSettings(key, lab.A.Ip) { NetNamespace = "/run/netns/" + lab.A.Namespace },
            CancellationToken.None);

        lab.A.Overlay!.Port.ShouldBe(4789);
        overlay.Port.ShouldBe(4790);
        NodeNetwork.RemoveLeftovers(key, "/run/netns/" + lab.A.Namespace).ShouldBe(2);
    }

    [Fact]
    public async Task A_missing_underlay_address_is_named()
    {
        await using var lab = await NetLab.StartAsync();
        await using var network = new NodeNetwork();

        var error = await Should.ThrowAsync<NodeNetworkUnavailableException>(() => network.PrepareAsync(
            new NodeNetSettings("0badf00d", "10.99.99.99") { NetNamespace = "/run/netns/" + lab.A.Namespace }, CancellationToken.None));

        error.Message.ShouldContain("10.99.99.99 is not an address of any interface here");
    }

    /// <summary>
    /// An exec-style server on each node's underlay address, answering its node's letter: instance 0 on A at port 18080,
    /// instance 1 on B at 18081, both the service's port 8080.
    /// </summary>
    private static async Task<(NetInstance OnA, NetInstance OnB)> StartExecServersAsync(NetLab lab)
    {
        await lab.StartHttpdAsync(lab.A.Namespace, lab.A.Ip, 18080, "A");
        await lab.StartHttpdAsync(lab.B.Namespace, lab.B.Ip, 18081, "B");
        return (Exec(0, lab.A.Id, lab.A.Ip, new NetPort("tcp", 8080, 18080)), Exec(1, lab.B.Id, lab.B.Ip, new NetPort("tcp", 8080, 18081)));
    }
}
