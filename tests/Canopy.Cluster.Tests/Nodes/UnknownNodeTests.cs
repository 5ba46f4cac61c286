using Canopy.Cluster.Broker;
using Canopy.Cluster.Nodes;
using Canopy.Cluster.Storage;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Mqtt;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Cluster.Tests.Nodes;

public sealed class UnknownNodeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task MessageFromUnregisteredNode_IsAnsweredWithControlError_AndNothingIsStored()
    {
        await using var root = await FakeRoot.StartAsync();
        await using var cluster = await TestCluster.StartAsync(output, root);

        // With the generated ACL only an account allowed on nodes/# can publish for a node that has no account: the cluster's.
        var store = cluster.Services.GetRequiredService<IClusterStore>();
        var password = await store.GetSettingAsync(SettingKeys.MqttClusterPassword, CancellationToken.None);
        await using var ghost = new MqttClient(new MqttClientOptions
        {
            Port = cluster.Options.Mqtt.Port,
            ClientId = "ghost-node",
            Username = BrokerUser.ClusterUserName,
            Password = password,
            Tls = cluster.BrokerTls,
        });
        await ghost.ConnectAsync(CancellationToken.None);
        var received = new RecordedList<(string Topic, string Payload)>();
        ghost.MessageReceived += m =>
        {
            received.Add((m.Topic, m.PayloadText));
            return Task.CompletedTask;
        };
        await ghost.SubscribeAsync("nodes/ghost/control/#", MqttQos.AtLeastOnce, CancellationToken.None);

        var information = new NodeInformation { Vcpus = 2, Memory = 1000, MemoryTotal = 2000, Architecture = "amd64", Timestamp = DateTimeOffset.UtcNow };
        await ghost.PublishAsync(NodeTopics.Information("ghost"), CanopyJson.SerializeToUtf8(information));

        var (topic, payload) = await received.WaitForAsync(m => m.Topic == NodeTopics.ControlError("ghost"), "control/error to the ghost");
        CanopyJson.Deserialize<ControlError>(payload)!.Message.ShouldBe(NodeMessageDispatcher.NotRegistered);
        topic.ShouldBe("nodes/ghost/control/error");
        (await store.GetNodeAsync("ghost", CancellationToken.None)).ShouldBeNull();
        (await cluster.NodesAsync()).ShouldBeEmpty();
    }
}
