using System.Net;
using System.Net.Http.Json;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Registration;

namespace Canopy.Cluster.Tests.Api;

/// <summary>
/// Each `canopy up` has a cluster of its own, and each cluster would give its first node 10.18.0.0/26: what the node says is
/// routed on its machine keeps two live nodes there (of different clusters) from ever sharing a subnet.
/// </summary>
public class NodeSubnetTests(ITestOutputHelper output) : ClusterTest(output)
{
    [Fact]
    public async Task A_new_node_gets_a_subnet_that_nothing_on_its_machine_routes()
    {
        var first = await RegisterAsync("worker-1", inUse: ["10.18.0.0/26", "10.18.1.0/24", "192.0.2.0/24"]);
        var second = await RegisterAsync("worker-2", inUse: ["10.18.0.0/26"]);

        first.Subnet.ShouldBe("10.18.0.64/26");
        second.Subnet.ShouldBe("10.18.0.128/26", "not the first node's either");
    }

    [Fact]
    public async Task A_node_whose_subnet_another_node_on_its_machine_took_meanwhile_is_moved_and_a_broader_route_moves_nothing()
    {
        var first = await RegisterAsync("worker-1");
        first.Subnet.ShouldBe("10.18.0.0/26");

        var lan = await RegisterAsync("worker-1", first.Id, inUse: ["10.0.0.0/8"]);
        var clash = await RegisterAsync("worker-1", first.Id, inUse: ["10.0.0.0/8", "10.18.0.0/26"]);

        lan.Subnet.ShouldBe("10.18.0.0/26", "its /26 wins over a LAN's /8 for its containers");
        clash.Id.ShouldBe(first.Id);
        clash.Subnet.ShouldBe("10.18.0.64/26");
        (await Cluster.NodesAsync()).ShouldHaveSingleItem().Subnet.ShouldBe("10.18.0.64/26");
    }

    private Task<NodeRegisterResponse> RegisterAsync(string host, string? id = null, IReadOnlyList<string>? inUse = null) =>
        FakeNode.RegisterAsync(Cluster, host, id, inUse);
}
