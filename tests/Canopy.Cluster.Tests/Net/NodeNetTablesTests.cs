using Canopy.Cluster.Net;
using Canopy.Cluster.Storage;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Net;
using Canopy.Contracts.Registration;
using Canopy.Core.States;

namespace Canopy.Cluster.Tests.Net;

/// <summary>The pure function from the cluster's state (and the root's part) to each node's net table.</summary>
public sealed class NodeNetTablesTests
{
    private const string Cluster = "c1";

    private static readonly NodeRecord Node1 = Node("n1", "192.0.2.1", "10.18.16.0/26");
    private static readonly NodeRecord Node2 = Node("n2", "192.0.2.2", "10.18.16.64/26");
    private static readonly NodeRecord Node3 = Node("n3", "192.0.2.3", "10.18.16.128/26");

    private static readonly ServiceSpec Server = Spec("s-server", "shop", "container", rrIp: "10.30.0.10");
    private static readonly ServiceSpec Client = Spec("s-client", "shop", "exec", port: "18080:80");
    private static readonly ServiceSpec Other = Spec("s-other", "blog", "container", rrIp: "10.30.0.20");

    [Fact]
    public void A_node_gets_every_service_of_the_applications_it_hosts_an_instance_of_in_any_state()
    {
        var tables = Build(
            [Server, Client, Other],
            [Running(Server, 0, Node2, "10.18.16.66"), Instance(Client, 0, Node1, InstanceStatus.Creating), Running(Other, 0, Node3, "10.18.16.130")],
            [Node1, Node2, Node3]);

        tables["n1"].Services.Select(s => s.ServiceId).ShouldBe(["s-client", "s-server"]);
        tables["n3"].Services.Select(s => s.ServiceId).ShouldBe(["s-other"]);
        var server = tables["n1"].Services.Single(s => s.ServiceId == "s-server");
        (server.RrIp, server.JobName, server.AppName, server.ServiceName).ShouldBe(("10.30.0.10", "shop.ns.s-server.ns", "shop", "s-server"));
    }

    [Fact]
    public void A_node_without_instances_gets_an_empty_table()
    {
        var tables = Build([Server], [Running(Server, 0, Node2, "10.18.16.66")], [Node1, Node2]);

        tables["n1"].Services.ShouldBeEmpty();
        tables["n1"].Peers.ShouldBeEmpty();
    }

    [Fact]
    public void Only_running_instances_are_routed()
    {
        var tables = Build(
            [Server],
            [Running(Server, 0, Node1, "10.18.16.2"), Instance(Server, 1, Node2, InstanceStatus.Creating, "10.18.16.67"),
             Instance(Server, 2, Node3, InstanceStatus.Failed, "10.18.16.131")],
            [Node1, Node2, Node3]);

        tables["n2"].Services.ShouldHaveSingleItem().Instances.ShouldHaveSingleItem().InstanceNumber.ShouldBe(0);
    }

    [Fact]
    public void Containers_are_reached_on_their_own_address_and_exec_instances_on_their_nodes_with_translated_ports()
    {
        var tables = Build(
            [Server, Client],
            [Running(Server, 3, Node2, "10.18.16.67"), Running(Client, 2, Node1, "192.0.2.1")],
            [Node1, Node2]);

        var services = tables["n1"].Services.ToDictionary(s => s.ServiceId);
        var container = services["s-server"].Instances.ShouldHaveSingleItem();
        (container.Address, container.NodeId, container.InstanceNumber, container.Ports.Count).ShouldBe(("10.18.16.67", "n2", 3, 0));
        var exec = services["s-client"].Instances.ShouldHaveSingleItem();
        exec.Address.ShouldBe("192.0.2.1");
        exec.Ports.ShouldBe([new NetPort("tcp", 80, 18082)]);
    }

    [Fact]
    public void An_exec_instance_without_a_reported_address_is_reached_on_its_nodes_address_and_a_container_without_one_is_left_out()
    {
        var tables = Build([Server, Client], [Running(Server, 0, Node2, null), Running(Client, 0, Node1, null)], [Node1, Node2]);

        var services = tables["n1"].Services.ToDictionary(s => s.ServiceId);
        services["s-server"].Instances.ShouldBeEmpty();
        services["s-client"].Instances.ShouldHaveSingleItem().Address.ShouldBe("192.0.2.1");
    }

    [Fact]
    public void A_container_address_outside_its_nodes_subnet_is_left_out()
    {
        var tables = Build(
            [Server],
            [Running(Server, 0, Node1, "10.18.16.2"), Running(Server, 1, Node2, "10.18.16.3"), Running(Server, 2, Node3, "junk")],
            [Node1, Node2, Node3]);

        tables["n1"].Services.ShouldHaveSingleItem().Instances.Select(i => i.InstanceNumber).ShouldBe([0]);
        tables["n1"].Peers.Select(p => p.NodeId).ShouldBe(["n2", "n3"], "the nodes of the application's other instances, routed or not, for the replies");
        InstanceAddresses.Unrouted("container", "10.18.16.3", "host-n2", "10.18.16.64/26")
            .ShouldBe("address 10.18.16.3 is outside node host-n2's subnet 10.18.16.64/26; not routed");
        InstanceAddresses.Unrouted("exec", "192.0.2.9", "host-n2", "10.18.16.64/26").ShouldBeNull();
    }

    [Fact]
    public void Peers_are_the_nodes_hosting_the_routed_instances_the_node_itself_excluded()
    {
        var tables = Build(
            [Server, Other],
            [Running(Server, 0, Node1, "10.18.16.2"), Running(Server, 1, Node2, "10.18.16.66"), Running(Other, 0, Node3, "10.18.16.130")],
            [Node1, Node2, Node3]);

        var peer = tables["n1"].Peers.ShouldHaveSingleItem();
        peer.ShouldBe(new NetPeer { NodeId = "n2", Ip = "192.0.2.2", Subnet = "10.18.16.64/26", VtepMac = "02:00:00:00:00:n2", OverlayPort = 4789, ClusterId = Cluster });
        tables["n2"].Peers.Select(p => p.NodeId).ShouldBe(["n1"]);
        tables["n3"].Peers.ShouldBeEmpty();
    }

    [Fact]
    public void A_node_without_an_overlay_is_no_peer_but_its_exec_instances_stay_reachable_on_its_address()
    {
        var bare = Node2 with { StaticInfo = Node2.StaticInfo with { Overlay = null } };
        var tables = Build([Server, Client], [Running(Server, 0, Node1, "10.18.16.2"), Running(Client, 0, bare, "192.0.2.2")], [Node1, bare]);

        tables["n1"].Peers.ShouldBeEmpty();
        tables["n1"].Services.Single(s => s.ServiceId == "s-client").Instances.ShouldHaveSingleItem().Address.ShouldBe("192.0.2.2");
        NodeNetTables.NetNodes([Node1, bare], Cluster).Nodes.Select(p => p.NodeId).ShouldBe(["n1"]);
    }

    [Fact]
    public void Instances_and_nodes_of_other_clusters_come_from_the_root_table()
    {
        var remoteServer = new NetInstance { InstanceNumber = 5, NodeId = "far", Address = "10.18.32.2" };
        var remoteOnlyService = new NetService
        {
            ServiceId = "s-remote",
            AppName = "shop",
            AppNs = "ns",
            RrIp = "10.30.0.30",
            Instances = [new NetInstance { InstanceNumber = 0, NodeId = "far", Address = "10.18.32.3" }],
        };
        var root = new RootNetTable(
            [
                new NetService { ServiceId = Server.ServiceId, AppName = "shop", AppNs = "ns", Instances = [remoteServer, new NetInstance { InstanceNumber = 9, NodeId = "n2", Address = "10.18.16.70" }] },
                remoteOnlyService,
                new NetService { ServiceId = "s-elsewhere", AppName = "blog", AppNs = "ns", Instances = [] },
            ],
            [new NetPeer { NodeId = "far", Ip = "198.51.100.7", Subnet = "10.18.32.0/26", VtepMac = "02:00:00:00:00:ff", OverlayPort = 4789, ClusterId = "c2" }]);

        var tables = Build([Server, Client], [Running(Server, 0, Node2, "10.18.16.66"), Instance(Client, 0, Node1, InstanceStatus.Running, "192.0.2.1")], [Node1, Node2], root);

        var services = tables["n1"].Services.ToDictionary(s => s.ServiceId);
        services.Keys.ShouldBe(["s-client", "s-remote", "s-server"], ignoreOrder: true);
        services["s-server"].Instances.Select(i => (i.NodeId, i.InstanceNumber)).ShouldBe([("n2", 0), ("far", 5)], "the root's word on a node of this cluster is not taken");
        services["s-server"].RrIp.ShouldBe("10.30.0.10", "from this cluster's spec");
        (services["s-remote"].RrIp, services["s-remote"].Instances.ShouldHaveSingleItem().Address).ShouldBe(("10.30.0.30", "10.18.32.3"));
        tables["n1"].Peers.Select(p => (p.NodeId, p.ClusterId)).ShouldBe([("far", "c2"), ("n2", Cluster)]);
    }

    [Fact]
    public void On_a_large_cluster_each_table_holds_exactly_its_applications_and_their_hosts()
    {
        // 40 nodes, three applications of two services each, 300 instances in mixed states spread over the nodes.
        var nodes = Enumerable.Range(0, 40).Select(i => Node($"n{i:00}", $"192.0.2.{i + 1}", $"10.18.{16 + (i / 4)}.{i % 4 * 64}/26")).ToList();
        var specs = new[] { "shop", "blog", "mail" }
            .SelectMany(app => new[] { Spec($"s-{app}-a", app, "container"), Spec($"s-{app}-b", app, "exec", port: "18080:80") })
            .ToList();
        InstanceStatus[] statuses = [InstanceStatus.Running, InstanceStatus.Creating, InstanceStatus.NodeScheduled];
        // Nodes n31 to n39 host nothing.
        var instances = Enumerable.Range(0, 300).Select(i => Instance(specs[i % 6], i, nodes[i * 7 % 31], statuses[i % 3])).ToList();

        var tables = Build(specs, instances, nodes);

        var appOf = specs.ToDictionary(s => s.ServiceId, s => s.AppName);
        foreach (var node in nodes)
        {
            var apps = instances.Where(i => i.NodeId == node.Id).Select(i => appOf[i.ServiceId]).ToHashSet();
            tables[node.Id].Services.Select(s => s.ServiceId)
                .ShouldBe(specs.Where(s => apps.Contains(s.AppName)).Select(s => s.ServiceId).Order(StringComparer.Ordinal));
            tables[node.Id].Peers.Select(p => p.NodeId).ShouldBe(instances
                .Where(i => apps.Contains(appOf[i.ServiceId]) && i.NodeId != node.Id)
                .Select(i => i.NodeId!).Distinct().Order(StringComparer.Ordinal));
        }
    }

    private static IReadOnlyDictionary<string, NodeNetTable> Build(
        IReadOnlyList<ServiceSpec> services, IReadOnlyList<InstanceRecord> instances, IReadOnlyList<NodeRecord> nodes, RootNetTable? root = null) =>
        NodeNetTables.Build(services, instances, nodes, root, Cluster);

    [Fact]
    public void An_encrypting_nodes_wireguard_key_and_port_travel_in_its_peer_entry_and_its_net_nodes_entry()
    {
        var encrypting = Node2 with
        {
            StaticInfo = Node2.StaticInfo with { Overlay = new NodeOverlay("02:00:00:00:00:n2", 4789, 1390, "cHVibGljLWtleQ==", 51820) },
        };

        var peer = NodeNetTables.Peer(encrypting, Cluster).ShouldNotBeNull();
        (peer.WgPublicKey, peer.WgPort).ShouldBe(("cHVibGljLWtleQ==", 51820));
        NodeNetTables.NetNodes([Node1, encrypting], Cluster).Nodes.Single(n => n.NodeId == "n2").WgPublicKey.ShouldBe("cHVibGljLWtleQ==");
        NodeNetTables.Peer(Node1, Cluster)!.WgPublicKey.ShouldBeNull();
    }

    private static NodeRecord Node(string id, string ip, string subnet) => new()
    {
        Id = id,
        Host = "host-" + id,
        Ip = ip,
        Subnet = subnet,
        MqttPassword = "",
        Active = true,
        StaticInfo = new NodeRegisterRequest { JoinToken = "", Host = "host-" + id, Overlay = new NodeOverlay($"02:00:00:00:00:{id}", 4789, 1450) },
    };

    private static ServiceSpec Spec(string id, string app, string virtualization, string? port = null, string? rrIp = null) => new()
    {
        ServiceId = id,
        JobName = $"{app}.ns.{id}.ns",
        AppName = app,
        AppNs = "ns",
        ServiceName = id,
        ServiceNs = "ns",
        Virtualization = virtualization,
        Port = port,
        RrIp = rrIp,
    };

    private static InstanceRecord Running(ServiceSpec spec, int number, NodeRecord node, string? ip) =>
        Instance(spec, number, node, InstanceStatus.Running, ip);

    private static InstanceRecord Instance(ServiceSpec spec, int number, NodeRecord node, InstanceStatus status, string? ip = null) => new()
    {
        ServiceId = spec.ServiceId,
        InstanceNumber = number,
        NodeId = node.Id,
        NodeName = node.Host,
        Status = status,
        InstanceIp = ip,
    };
}
