using System.Net;
using System.Net.Http.Json;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Registration;

namespace Canopy.Cluster.Tests.Net;

/// <summary>Node subnets come from the blocks the root gives the cluster; full blocks make the cluster ask for another.</summary>
public sealed class SubnetBlockTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Nodes_get_subnets_inside_the_roots_blocks_and_move_into_new_ones_at_their_next_registration()
    {
        await using var root = await FakeRoot.StartAsync();
        root.SubnetBlocks = ["10.18.48.0/20"];
        await using var cluster = await TestCluster.StartAsync(output, root);

        var first = await FakeNode.RegisterAsync(cluster, "worker-1");
        var second = await FakeNode.RegisterAsync(cluster, "worker-2");
        first.Subnet.ShouldBe("10.18.48.0/26");
        second.Subnet.ShouldBe("10.18.48.64/26");

        // The root's plan changed (its blocks are all the cluster has); a block outside the node range is left out.
        await root.SendAsync(LinkMessageTypes.SubnetBlocks, new SubnetBlocks(["10.99.0.0/20", "10.19.0.0/20"]));

        await Waits.UntilAsync(async () => (await FakeNode.RegisterAsync(cluster, "worker-1", first.Id)).Subnet == "10.19.0.0/26", "worker-1 moved into the new block");
        (await FakeNode.RegisterAsync(cluster, "worker-2", second.Id)).Subnet.ShouldBe("10.19.0.64/26");
        (await FakeNode.RegisterAsync(cluster, "worker-1", first.Id)).Subnet.ShouldBe("10.19.0.0/26", "kept from then on");
    }

    [Fact]
    public async Task A_full_block_asks_the_root_for_another_and_the_node_is_told_to_come_back_later()
    {
        await using var root = await FakeRoot.StartAsync();
        root.SubnetBlocks = ["10.18.48.0/20"];
        await using var cluster = await TestCluster.StartAsync(output, root);
        await FakeNode.RegisterAsync(cluster, "worker-1");

        // Every other /26 of the block is routed on the new node's machine: nothing in the block is left for it.
        var routed = Enumerable.Range(1, 63).Select(i => $"10.18.{48 + (i / 4)}.{i % 4 * 64}/26").ToList();
        using var full = await FakeNode.PostRegistrationAsync(cluster, "crowded", inUse: routed);

        full.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await full.Content.ReadAsStringAsync()).ShouldContain("asked the root for another block");
        var request = await root.WaitForAsync(LinkMessageTypes.SubnetBlocksRequest);
        request.Read<SubnetBlocksRequest>().Taken.ShouldBe(1);

        await root.SendAsync(LinkMessageTypes.SubnetBlocks, new SubnetBlocks(["10.18.48.0/20", "10.18.64.0/20"]));

        await Waits.UntilAsync(async () =>
        {
            using var again = await FakeNode.PostRegistrationAsync(cluster, "crowded", inUse: routed);
            return again.IsSuccessStatusCode &&
                   (await again.Content.ReadFromJsonAsync<NodeRegisterResponse>(CanopyJson.Options))!.Subnet == "10.18.64.0/26";
        }, "the node registered with a subnet of the new block");
    }
}
