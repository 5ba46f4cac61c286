using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Net;
using Canopy.Core.States;
using Canopy.Root.Networking;
using Canopy.Root.Store;

namespace Canopy.Root.Tests;

/// <summary>What the root tells each cluster: the services its applications use, with the RUNNING instances of other clusters.</summary>
public sealed class RootNetTablesTests
{
    private static readonly ServiceSpec Web = Spec("web-id", "shop", "web", "container", rrIp: "10.30.0.1", closestIp: "10.30.0.2");
    private static readonly ServiceSpec Db = Spec("db-id", "shop", "db", "exec", rrIp: "10.30.0.3", port: "5432");
    private static readonly ServiceSpec Other = Spec("other-id", "blog", "web", "container", rrIp: "10.30.0.4");

    private static readonly Dictionary<string, ClusterNetNodes> NetNodes = new()
    {
        ["A"] = new ClusterNetNodes([Peer("a1"), Peer("a2")]),
        ["B"] = new ClusterNetNodes([Peer("b1", cluster: "claimed-elsewhere")]),
    };

    [Fact]
    public void A_cluster_gets_the_services_of_the_applications_it_has_instances_of_and_no_others()
    {
        var instances = new[] { Instance(Db, 0, "B", "b1", InstanceStatus.Creating), Instance(Other, 0, "A", "a1", InstanceStatus.Running, "10.18.0.5") };

        var table = RootNetTables.For("B", [Web, Db, Other], instances, NetNodes);

        table.Services.Select(s => s.ServiceId).ShouldBe(["db-id", "web-id"]);
        var web = table.Services.Single(s => s.ServiceId == "web-id");
        (web.AppName, web.ServiceName, web.JobName, web.RrIp, web.ClosestIp).ShouldBe(("shop", "web", "shop.default.web.default", "10.30.0.1", "10.30.0.2"));
        web.Instances.ShouldBeEmpty();
        table.Peers.ShouldBeEmpty();
    }

    [Fact]
    public void A_cluster_without_instances_gets_an_empty_table()
    {
        var table = RootNetTables.For("C", [Web, Db], [Instance(Web, 0, "A", "a1", InstanceStatus.Running, "10.18.0.5")], NetNodes);

        table.Services.ShouldBeEmpty();
        table.Peers.ShouldBeEmpty();
    }

    [Fact]
    public void Only_running_instances_of_other_clusters_with_an_address_are_listed_with_their_nodes_as_peers()
    {
        var instances = new[]
        {
            Instance(Db, 0, "B", "b1", InstanceStatus.Running),
            Instance(Web, 0, "A", "a1", InstanceStatus.Running, "10.18.0.5"),
            Instance(Web, 1, "A", "a2", InstanceStatus.Creating, "10.18.0.70"),
            Instance(Web, 2, "B", "b1", InstanceStatus.Running, "10.18.16.5"),
            Instance(Web, 3, "A", "a2", InstanceStatus.Running),
            Instance(Web, 4, "A", "a2", InstanceStatus.Running, "10.18.0.71") with { Deleting = true },
        };

        var table = RootNetTables.For("B", [Web, Db], instances, NetNodes);

        var web = table.Services.Single(s => s.ServiceId == "web-id");
        web.Instances.ShouldHaveSingleItem().ShouldBe(new NetInstance { InstanceNumber = 0, NodeId = "a1", Address = "10.18.0.5" });
        table.Peers.ShouldBe([Peer("a1", cluster: "A"), Peer("a2", cluster: "A")], "every node of the application's instances elsewhere, for the replies");
    }

    [Fact]
    public void Exec_instances_translate_ports_and_need_no_overlay_entry_but_containers_do()
    {
        var instances = new[]
        {
            Instance(Web, 0, "A", "a1", InstanceStatus.Running),
            Instance(Db, 2, "A", "a9", InstanceStatus.Running, hostIp: "192.168.1.9"),
            Instance(Web, 1, "A", "a9", InstanceStatus.Running, "10.18.0.200"),
            Instance(Db, 3, "B", "b1", InstanceStatus.Running, hostIp: "192.168.2.1"),
        };

        var table = RootNetTables.For("A", [Web, Db], instances, NetNodes);

        var db = table.Services.Single(s => s.ServiceId == "db-id");
        var entry = db.Instances.ShouldHaveSingleItem();
        (entry.NodeId, entry.Address).ShouldBe(("b1", "192.168.2.1"));
        entry.Ports.ShouldBe([new NetPort("tcp", 5432, 5435)]);
        table.Services.Single(s => s.ServiceId == "web-id").Instances.ShouldBeEmpty("A's own instances are the cluster's to add");
        table.Peers.ShouldBe([Peer("b1", cluster: "B")], "a peer is marked with the cluster that reported it");

        var fromB = RootNetTables.For("B", [Web, Db], instances, NetNodes);
        fromB.Services.Single(s => s.ServiceId == "web-id").Instances.Select(i => i.InstanceNumber)
            .ShouldBe([], "a container on a node without an overlay entry cannot be reached");
        fromB.Services.Single(s => s.ServiceId == "db-id").Instances.ShouldHaveSingleItem().Address.ShouldBe("192.168.1.9");
        fromB.Peers.ShouldBe([Peer("a1", cluster: "A")], "a1 hosts a (not routable) web instance: its connections need their replies routed back");
    }

    [Fact]
    public void Instances_and_peers_come_in_a_stable_order_whatever_order_they_are_given_in()
    {
        var instances = new[]
        {
            Instance(Web, 5, "A", "a2", InstanceStatus.Running, "10.18.0.66"),
            Instance(Web, 1, "A", "a1", InstanceStatus.Running, "10.18.0.2"),
            Instance(Web, 0, "B", "b1", InstanceStatus.Running, "10.18.16.2"),
        };

        var forward = RootNetTables.For("B", [Web, Db], instances, NetNodes);
        var backward = RootNetTables.For("B", [Db, Web], instances.Reverse().ToList(), NetNodes);

        forward.Services.Single(s => s.ServiceId == "web-id").Instances.Select(i => i.InstanceNumber).ShouldBe([1, 5]);
        forward.Peers.Select(p => p.NodeId).ShouldBe(["a1", "a2"]);
        JsonSerializer.Serialize(backward, CanopyJson.Options)
            .ShouldBe(JsonSerializer.Serialize(forward, CanopyJson.Options));
    }

    private static ServiceSpec Spec(string id, string app, string name, string virtualization, string rrIp, string? closestIp = null, string? port = null) => new()
    {
        ServiceId = id,
        JobName = $"{app}.default.{name}.default",
        AppName = app,
        AppNs = "default",
        ServiceName = name,
        ServiceNs = "default",
        Virtualization = virtualization,
        Port = port,
        RrIp = rrIp,
        ClosestIp = closestIp,
    };

    private static InstanceRecord Instance(
        ServiceSpec service, int number, string cluster, string node, InstanceStatus status, string? instanceIp = null, string? hostIp = null) => new()
        {
            ServiceId = service.ServiceId,
            InstanceNumber = number,
            Status = status,
            ClusterId = cluster,
            NodeId = node,
            HostIp = hostIp ?? "192.168.0.1",
            InstanceIp = instanceIp,
        };

    private static NetPeer Peer(string node, string? cluster = null) => new()
    {
        NodeId = node,
        Ip = $"192.168.0.{node.Length}",
        Subnet = "10.18.0.0/26",
        VtepMac = "02:00:00:00:00:01",
        OverlayPort = 4789,
        ClusterId = cluster,
    };
}
