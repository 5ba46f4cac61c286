using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Contracts.Net;
using Canopy.Core.States;
using Canopy.Root.Store;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

/// <summary>The root's part of the net manager over the link: node subnet blocks per cluster, and the cross-cluster net tables.</summary>
public class NetManagerLinkTests : RootTestBase
{
    [Fact]
    public async Task A_cluster_gets_a_block_at_its_first_registration_keeps_it_when_it_registers_again_and_no_other_cluster_gets_it()
    {
        var first = await FakeCluster.RegisterAsync(Root, "edge-a");
        var again = await FakeCluster.RegisterAsync(Root, "edge-a");
        var other = await FakeCluster.RegisterAsync(Root, "edge-b");

        first.NodeSubnetBlocks.ShouldBe(["10.18.0.0/20"]);
        again.NodeSubnetBlocks.ShouldBe(["10.18.0.0/20"]);
        other.NodeSubnetBlocks.ShouldBe(["10.18.16.0/20"]);
    }

    [Fact]
    public async Task The_blocks_survive_a_root_restart()
    {
        var first = await FakeCluster.RegisterAsync(Root, "edge-a");

        await RestartAsync();

        (await FakeCluster.RegisterAsync(Root, "edge-a")).NodeSubnetBlocks.ShouldBe(first.NodeSubnetBlocks);
        (await FakeCluster.RegisterAsync(Root, "edge-b")).NodeSubnetBlocks.ShouldBe(["10.18.16.0/20"]);
    }

    [Fact]
    public async Task After_hello_the_cluster_gets_its_blocks_and_a_request_adds_one_but_a_repeat_right_after_does_not()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-a");
        (await cluster.NextAsync(LinkMessageTypes.SubnetBlocks)).Read<SubnetBlocks>().Blocks.ShouldBe(["10.18.0.0/20"]);

        await cluster.SendAsync(LinkMessageTypes.SubnetBlocksRequest, new SubnetBlocksRequest(64));
        var grown = (await cluster.NextAsync(LinkMessageTypes.SubnetBlocks)).Read<SubnetBlocks>();
        await cluster.SendAsync(LinkMessageTypes.SubnetBlocksRequest, new SubnetBlocksRequest(64));
        var repeated = (await cluster.NextAsync(LinkMessageTypes.SubnetBlocks)).Read<SubnetBlocks>();

        grown.Blocks.ShouldBe(["10.18.0.0/20", "10.18.16.0/20"]);
        repeated.Blocks.ShouldBe(grown.Blocks);
        (await Root.Service<IRootStore>().ListSubnetBlocksAsync(cluster.Id, CancellationToken.None)).ShouldBe(grown.Blocks);
    }

    [Fact]
    public async Task When_every_block_is_granted_a_request_gets_the_unchanged_list()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-a");
        var store = Root.Service<IRootStore>();
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        for (var i = 1; i < 768; i++)
        {
            await store.GrantSubnetBlockAsync("someone-else", _ => true, start, CancellationToken.None);
        }

        await cluster.SendAsync(LinkMessageTypes.SubnetBlocksRequest, new SubnetBlocksRequest(64));

        (await cluster.NextAsync<SubnetBlocks>(LinkMessageTypes.SubnetBlocks, b => b.Blocks.Count == 1)).Blocks.ShouldBe(["10.18.0.0/20"]);
        var exhausted = await store.GrantSubnetBlockAsync("yet-another", _ => true, start, CancellationToken.None);
        (exhausted.Added, exhausted.Exhausted).ShouldBe((null, true));
    }

    [Fact]
    public async Task After_hello_a_cluster_gets_its_net_table_even_when_it_is_empty()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-a");

        var table = (await cluster.NextAsync(LinkMessageTypes.NetTable)).Read<RootNetTable>();

        table.Services.ShouldBeEmpty();
        table.Peers.ShouldBeEmpty();
    }

    [Fact]
    public async Task When_an_instance_on_another_cluster_runs_the_cluster_with_a_client_of_its_application_gets_it_and_its_node()
    {
        await using var a = await FakeCluster.ConnectAsync(Root, "edge-a");
        await using var b = await FakeCluster.ConnectAsync(Root, "edge-b");
        var node = new NetPeer { NodeId = "id-a-1", Ip = "192.168.1.5", Subnet = "10.18.0.0/26", VtepMac = "02:00:0a:12:00:01", OverlayPort = 4789 };
        var other = node with { NodeId = "id-b-1", Ip = "192.168.2.5", Subnet = "10.18.16.0/26" };
        await a.SendAsync(LinkMessageTypes.NetNodes, new ClusterNetNodes([node]));
        await b.SendAsync(LinkMessageTypes.NetNodes, new ClusterNetNodes([other]));
        var services = await CreateClientServerAsync();
        await RunAsync(a, services["server"], InstanceStatus.Creating, null);
        await RunAsync(b, services["client"], InstanceStatus.Running, "10.18.16.2", "b-1");
        await b.NextAsync<RootNetTable>(LinkMessageTypes.NetTable, t => t.Services.Count == 2);

        await RunAsync(a, services["server"], InstanceStatus.Running, "10.18.0.2");

        var table = await b.NextAsync<RootNetTable>(LinkMessageTypes.NetTable, t => t.Services.Any(s => s.Instances.Count > 0));
        var server = table.Services.Single(s => s.ServiceName == "server");
        (server.RrIp, server.ClosestIp).ShouldBe(("10.30.30.30", "10.30.30.31"));
        var instance = server.Instances.ShouldHaveSingleItem();
        (instance.InstanceNumber, instance.NodeId, instance.Address).ShouldBe((0, "id-a-1", "10.18.0.2"));
        instance.Ports.ShouldBeEmpty("a container keeps its ports");
        table.Services.Single(s => s.ServiceName == "client").Instances.ShouldBeEmpty("its own instances are the cluster's to add");
        table.Peers.ShouldBe([node with { ClusterId = a.Id }]);
        var fromA = await a.NextAsync<RootNetTable>(LinkMessageTypes.NetTable, t => t.Services.Any(s => s.Instances.Count > 0));
        fromA.Services.Single(s => s.ServiceName == "client").Instances.ShouldHaveSingleItem().Address.ShouldBe("10.18.16.2");
        fromA.Peers.ShouldBe([other with { ClusterId = b.Id }]);
    }

    [Fact]
    public async Task The_api_shows_each_instances_address_and_the_services_closest_ip()
    {
        await using var a = await FakeCluster.ConnectAsync(Root, "edge-a");
        await using var b = await FakeCluster.ConnectAsync(Root, "edge-b");
        var services = await CreateClientServerAsync();

        await RunAsync(a, services["server"], InstanceStatus.Running, "10.18.0.2");

        var server = await Root.GetAsync<ServiceDocument>($"/api/service/{services["server"]}");
        server.ClosestIp.ShouldBe("10.30.30.31");
        server.InstanceList.ShouldHaveSingleItem().InstanceIp.ShouldBe("10.18.0.2");
        (await Workloads.DetailAsync(Root, services["server"], 0)).InstanceIp.ShouldBe("10.18.0.2");
        var listed = await Root.GetAsync<List<ServiceInstanceDocument>>("/api/v1/instances");
        listed.Single(i => i.ServiceId == services["server"]).InstanceIp.ShouldBe("10.18.0.2");
    }

    /// <summary>An application of a container server pinned to edge-a and a client pinned to edge-b, each with one instance; ids by name.</summary>
    private async Task<Dictionary<string, string>> CreateClientServerAsync()
    {
        var sla = Descriptors.WithApplication(app =>
        {
            var server = app["microservices"]![0]!.AsObject();
            server["microservice_name"] = "server";
            server["virtualization"] = "container";
            server["code"] = "127.0.0.1:5000/canopy/httpd:1";
            server["addresses"] = new JsonObject { ["rr_ip"] = "10.30.30.30", ["closest_ip"] = "10.30.30.31" };
            server["constraints"] = new JsonArray(new JsonObject { ["type"] = "direct", ["cluster"] = "edge-a" });
            var client = server.DeepClone().AsObject();
            client["microservice_name"] = "client";
            client.Remove("addresses");
            client["constraints"] = new JsonArray(new JsonObject { ["type"] = "direct", ["cluster"] = "edge-b" });
            app["microservices"]!.AsArray().Add(client);
        });
        var response = await Root.PostJsonAsync("/api/application/", sla);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var application = (await response.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single();
        var services = (await Root.GetAsync<List<ServiceDocument>>($"/api/services/{application.ApplicationId}"))
            .ToDictionary(s => s.MicroserviceName, s => s.MicroserviceId);
        foreach (var id in services.Values)
        {
            await Workloads.AddInstanceAsync(Root, id);
        }

        return services;
    }

    /// <summary>Reports instance 0 of the service as the cluster's node runs it, once the root placed it there.</summary>
    private async Task RunAsync(FakeCluster cluster, string serviceId, InstanceStatus status, string? instanceIp, string node = "a-1")
    {
        await Eventually.ValueAsync(() => Workloads.DetailAsync(Root, serviceId, 0), d => d.ClusterId == cluster.Id, $"placement on {cluster.Name}");
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Workloads.Report(serviceId, 0, status, node) with { InstanceIp = instanceIp });
        await Eventually.ValueAsync(() => Workloads.DetailAsync(Root, serviceId, 0), d => d.Status == status, $"{status} on {cluster.Name}");
    }
}
