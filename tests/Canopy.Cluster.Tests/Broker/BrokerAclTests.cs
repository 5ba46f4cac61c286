using Canopy.Cluster.Broker;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts.Mqtt;
using Canopy.Contracts.Registration;
using Canopy.Mqtt;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Cluster.Tests.Broker;

/// <summary>
/// Per-node broker accounts on the cluster's real Mosquitto (over TLS): each works, no node gets in with another's credentials, the
/// ACL keeps node A out of node B's topics, and a node writes only what nodes report: never commands or net tables, not even its own.
/// </summary>
public sealed class BrokerAclTests(ITestOutputHelper output) : ClusterTest(output)
{
    [Fact]
    public async Task NodeCredentials_Work_WrongPasswordIsRefused()
    {
        await using var node = await FakeNode.StartAsync(Cluster, "worker-a");
        node.Client.IsConnected.ShouldBeTrue();

        await using var impostor = Client(node.Registration.Mqtt with { Password = "not-the-password" }, "impostor");
        var error = await Should.ThrowAsync<MqttConnectException>(() => impostor.ConnectAsync(CancellationToken.None));

        error.Result.ShouldBeOneOf(MqttConnectResult.BadUsernameOrPassword, MqttConnectResult.NotAuthorized);
    }

    [Fact]
    public async Task NodeA_WithItsOwnPassword_CannotConnectAsNodeB()
    {
        await using var a = await FakeNode.StartAsync(Cluster, "worker-a");
        await using var b = await FakeNode.StartAsync(Cluster, "worker-b");

        await using var asB = Client(a.Registration.Mqtt with { Username = b.Id }, b.Id + "-ne-forged");
        var error = await Should.ThrowAsync<MqttConnectException>(() => asB.ConnectAsync(CancellationToken.None));

        error.Result.ShouldBeOneOf(MqttConnectResult.BadUsernameOrPassword, MqttConnectResult.NotAuthorized);
        b.Client.IsConnected.ShouldBeTrue();
    }

    [Fact]
    public async Task NodeA_CannotSubscribeToNodeB()
    {
        await using var a = await FakeNode.StartAsync(Cluster, "worker-a");
        await using var b = await FakeNode.StartAsync(Cluster, "worker-b");
        await using var spy = Client(a.Registration.Mqtt, a.Id + "-spy");
        await spy.ConnectAsync(CancellationToken.None);
        var seen = Record(spy);

        // Mosquitto answers a denied subscription with SUBACK 0x80; were it granted instead, nothing may arrive through it.
        foreach (var filter in new[] { $"nodes/{b.Id}/#", NodeTopics.Information(b.Id), $"nodes/{b.Id}/control/#" })
        {
            try
            {
                await spy.SubscribeAsync(filter, MqttQos.AtLeastOnce, CancellationToken.None);
            }
            catch (MqttSubscribeException)
            {
                Output.WriteLine($"subscription to {filter} refused with SUBACK 0x80");
            }
        }

        await spy.SubscribeAsync($"nodes/{a.Id}/control/#", MqttQos.AtLeastOnce, CancellationToken.None);
        await b.Client.PublishAsync(NodeTopics.Information(b.Id), "b's information", MqttQos.AtLeastOnce);
        await using var cluster = await ClusterAccountAsync("acl-cluster");
        await cluster.PublishAsync(NodeTopics.ControlError(b.Id), "for b only", MqttQos.AtLeastOnce);
        await cluster.PublishAsync($"nodes/{a.Id}/control/marker", "after b's messages", MqttQos.AtLeastOnce);
        await seen.WaitForAsync(t => t.Topic.EndsWith("/marker"), "the spy's own marker");

        seen.Snapshot().ShouldNotContain(t => t.Topic.StartsWith($"nodes/{b.Id}/"));
    }

    [Fact]
    public async Task NodeA_CannotPublishForNodeB()
    {
        await using var a = await FakeNode.StartAsync(Cluster, "worker-a");
        await using var b = await FakeNode.StartAsync(Cluster, "worker-b");
        await using var observer = await ClusterAccountAsync("acl-observer");
        var seen = Record(observer);
        await observer.SubscribeAsync("nodes/#", MqttQos.AtLeastOnce, CancellationToken.None);

        // One connection publishes in order: A's own marker reaches the observer after whatever became of the forged messages.
        foreach (var topic in new[] { NodeTopics.Information(b.Id), NodeTopics.Job(b.Id), NodeTopics.Status(b.Id), NodeTopics.ControlDeploy(b.Id) })
        {
            await a.Client.PublishAsync(topic, "forged by a", MqttQos.AtLeastOnce);
        }

        await a.Client.PublishAsync(NodeTopics.Logs(a.Id), "a's marker", MqttQos.AtLeastOnce);
        await seen.WaitForAsync(m => m.Payload == "a's marker", "a's own marker");

        seen.Snapshot().ShouldNotContain(m => m.Payload == "forged by a");
    }

    /// <summary>Commands and net tables come only from the cluster: a node that forged its own would make its net manager program them.</summary>
    [Fact]
    public async Task Node_CannotWriteTheTopicsOnlyTheClusterWrites_NotEvenItsOwn()
    {
        await using var a = await FakeNode.StartAsync(Cluster, "worker-a");
        await using var observer = await ClusterAccountAsync("acl-observer");
        var seen = Record(observer);
        await observer.SubscribeAsync($"nodes/{a.Id}/#", MqttQos.AtLeastOnce, CancellationToken.None);

        foreach (var topic in new[] { NodeTopics.ControlDeploy(a.Id), NodeTopics.ControlDelete(a.Id), NodeTopics.NetTable(a.Id), $"nodes/{a.Id}/anything" })
        {
            await a.Client.PublishAsync(topic, "forged by a", MqttQos.AtLeastOnce);
        }

        await a.Client.PublishAsync(NodeTopics.Logs(a.Id), "a's marker", MqttQos.AtLeastOnce);
        await seen.WaitForAsync(m => m.Payload == "a's marker", "a's own marker");

        seen.Snapshot().ShouldNotContain(m => m.Payload == "forged by a");
        a.Client.IsConnected.ShouldBeTrue();
    }

    private MqttClient Client(MqttCredentials credentials, string clientId) => FakeNode.BrokerClient(Cluster, credentials, clientId);

    /// <summary>A client with the cluster's own account (the one allowed on every node's topics).</summary>
    private async Task<MqttClient> ClusterAccountAsync(string clientId)
    {
        var user = await Cluster.Services.GetRequiredService<BrokerUsers>().GetClusterUserAsync(CancellationToken.None);
        var client = new MqttClient(new MqttClientOptions
        {
            Port = Cluster.Options.Mqtt.Port,
            ClientId = clientId,
            Username = user.Username,
            Password = user.Password,
            Tls = Cluster.BrokerTls,
        });
        await client.ConnectAsync(CancellationToken.None);
        return client;
    }

    private static RecordedList<(string Topic, string Payload)> Record(MqttClient client)
    {
        var seen = new RecordedList<(string Topic, string Payload)>();
        client.MessageReceived += m =>
        {
            seen.Add((m.Topic, m.PayloadText));
            return Task.CompletedTask;
        };
        return seen;
    }
}
