using Canopy.Cluster.Nodes;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Mqtt;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Cluster.Tests.Hostile;

/// <summary>What a broken or hostile node can publish on its own topics, through the real broker: floods and garbage.</summary>
public sealed class NodeFloodTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_flooding_node_loses_its_excess_and_the_other_nodes_are_still_heard()
    {
        await using var root = await FakeRoot.StartAsync();
        await using var cluster = await TestCluster.StartAsync(output, root, o =>
        {
            o.NodeMessagesPerSecond = 20;
            o.NodeMessageBurst = 40;
        });
        await using var flooder = await FakeNode.StartAsync(cluster, "flooder");
        var marked = false;
        await using var quiet = await FakeNode.StartAsync(cluster, "quiet", new FakeNodeOptions { Information = i => Volatile.Read(ref marked) ? i with { Memory = 1234 } : i });
        var rates = cluster.Services.GetRequiredService<NodeMessageRates>();
        var information = CanopyJson.SerializeToUtf8(new NodeInformation
        {
            Vcpus = 4,
            Memory = 100,
            MemoryTotal = 4096,
            Architecture = "amd64",
            Timestamp = DateTimeOffset.UtcNow,
        });

        for (var i = 0; i < 3000; i++)
        {
            await flooder.Client.PublishAsync(NodeTopics.Information(flooder.Id), information, MqttQos.AtMostOnce);
        }

        Volatile.Write(ref marked, true);

        await Waits.UntilAsync(async () => (await cluster.NodesAsync()).Any(n => n.Id == quiet.Id && n.Memory == 1234), "the quiet node's information");
        await Waits.UntilAsync(() => Task.FromResult(rates.Dropped > 0), "the flood's excess dropped");
        (await cluster.NodesAsync()).Count.ShouldBe(2);
    }

    [Fact]
    public async Task Malformed_payloads_on_every_node_topic_are_ignored_and_the_node_is_still_heard()
    {
        await using var root = await FakeRoot.StartAsync();
        await using var cluster = await TestCluster.StartAsync(output, root);
        var marked = false;
        await using var node = await FakeNode.StartAsync(cluster, "garbage", new FakeNodeOptions { Information = i => Volatile.Read(ref marked) ? i with { Memory = 3210 } : i });
        var garbage = new[] { "", "null", "{", "[]", "{\"status\":1}", "\"x\"", new string('[', 5000), "{\"timestamp\":\"not a time\"}" };

        foreach (var topic in ClusterMqtt.Subscriptions.Select(s => s.Replace("+", node.Id, StringComparison.Ordinal)))
        {
            foreach (var payload in garbage)
            {
                await node.Client.PublishAsync(topic, System.Text.Encoding.UTF8.GetBytes(payload), MqttQos.AtLeastOnce);
            }
        }

        Volatile.Write(ref marked, true);

        await Waits.UntilAsync(async () => (await cluster.NodesAsync()).Any(n => n.Id == node.Id && n.Memory == 3210 && n.Active), "the node's information after the garbage");
    }
}
