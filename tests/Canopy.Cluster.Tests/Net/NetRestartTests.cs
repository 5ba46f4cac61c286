using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Net;
using Canopy.Core.States;

namespace Canopy.Cluster.Tests.Net;

/// <summary>A restarted cluster (whose broker lost every retained message) restores every node's table from its store.</summary>
public sealed class NetRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_restarted_cluster_publishes_every_table_at_once_with_the_roots_last_part_and_without_the_root()
    {
        await using var root = await FakeRoot.StartAsync();
        var options = TestCluster.DefaultOptions(root);
        void SameDirAndPort(ClusterOptions o) => (o.DataDir, o.Mqtt.Port) = (options.DataDir, options.Mqtt.Port);
        var caller = NetNodes.Exec("shop", "caller", "worker-1", "18080:80");
        var far = new NetService
        {
            ServiceId = "0000000000000000000000fa",
            AppName = "shop",
            AppNs = "test",
            ServiceName = "web",
            RrIp = "10.30.0.10",
            Instances = [new NetInstance { NodeId = "far-node", Address = "10.18.32.2" }],
        };
        var farPeer = new NetPeer { NodeId = "far-node", Ip = "198.51.100.7", Subnet = "10.18.32.0/26", VtepMac = "02:00:00:00:00:ff", ClusterId = "c2" };
        bool Complete(NodeNetTable? t) =>
            t?.Services.Any(s => s.ServiceId == far.ServiceId && s.Instances.Count == 1) == true &&
            t.Services.Any(s => s.ServiceId == caller.ServiceId && s.Instances.Count == 1) && t.Peers.Any(p => p.NodeId == "far-node");

        var first = await TestCluster.StartAsync(output, root, SameDirAndPort);
        FakeNode node;
        long before;
        try
        {
            node = await FakeNode.StartAsync(first, "worker-1", NetNodes.Options(1));
            await root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(caller, 0));
            await root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running, "the caller RUNNING");
            await root.SendAsync(LinkMessageTypes.NetTable, new RootNetTable([far], [farPeer]));
            before = (await node.WaitForNetTableAsync(Complete, "the table with the root's part"))!.Version;
        }
        finally
        {
            await first.StopKeepingDataAsync();
        }

        await using (node)
        {
            // No root at all this time: the tables come from the store alone.
            await using var second = await TestCluster.StartAsync(output, root, o =>
            {
                SameDirAndPort(o);
                o.RootUrl = "http://127.0.0.1:1";
            }, waitForRoot: false);

            var after = (await node.NetTables.WaitForAsync(t => t?.Version > before && Complete(t), "the table of the restarted cluster"))!;
            after.Peers.ShouldHaveSingleItem().ShouldBe(farPeer);
        }
    }
}
