using Canopy.Cluster.Tests.Support;
using Canopy.Contracts.Registration;
using Canopy.Mqtt;

namespace Canopy.Cluster.Tests.Broker;

/// <summary>Per-node broker accounts: each works, and the ACL keeps node A out of node B's topics.</summary>
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
    public async Task NodeA_CannotSubscribeToNodeB()
    {
        await using var a = await FakeNode.StartAsync(Cluster, "worker-a");
        await using var b = await FakeNode.StartAsync(Cluster, "worker-b");
        await using var spy = Client(a.Registration.Mqtt, a.Id + "-spy");
        await spy.ConnectAsync(CancellationToken.None);
        var seen = new RecordedList<string>();
        spy.MessageReceived += m =>
        {
            seen.Add(m.Topic);
            return Task.CompletedTask;
        };

        // Mosquitto answers a denied subscription with SUBACK 0x80; were it granted instead, nothing may arrive through it.
        var refused = false;
        try
        {
            await spy.SubscribeAsync($"nodes/{b.Id}/#", MqttQos.AtLeastOnce, CancellationToken.None);
        }
        catch (MqttSubscribeException)
        {
            refused = true;
        }

        await spy.SubscribeAsync($"nodes/{a.Id}/marker", MqttQos.AtLeastOnce, CancellationToken.None);
        await b.Client.PublishAsync($"nodes/{b.Id}/secret", "for b only");
        await spy.PublishAsync($"nodes/{a.Id}/marker", "after b's message");
        await seen.WaitForAsync(t => t.EndsWith("/marker"), "the spy's own marker");

        Output.WriteLine($"subscription refused with SUBACK 0x80: {refused}");
        seen.Snapshot().ShouldNotContain(t => t.StartsWith($"nodes/{b.Id}/"));
    }

    [Fact]
    public async Task NodeA_CannotPublishToNodeB()
    {
        await using var a = await FakeNode.StartAsync(Cluster, "worker-a");
        await using var b = await FakeNode.StartAsync(Cluster, "worker-b");
        await using var listener = Client(b.Registration.Mqtt, b.Id + "-listener");
        await listener.ConnectAsync(CancellationToken.None);
        var seen = new RecordedList<string>();
        listener.MessageReceived += m =>
        {
            seen.Add($"{m.Topic}={m.PayloadText}");
            return Task.CompletedTask;
        };
        await listener.SubscribeAsync($"nodes/{b.Id}/test/#", MqttQos.AtLeastOnce, CancellationToken.None);

        // QoS 1: the broker has routed (or dropped) A's message before it acknowledges it, so B's marker comes after it.
        await a.Client.PublishAsync($"nodes/{b.Id}/test/forged", "from a", MqttQos.AtLeastOnce);
        await b.Client.PublishAsync($"nodes/{b.Id}/test/marker", "from b", MqttQos.AtLeastOnce);
        await seen.WaitForAsync(s => s.EndsWith("/marker=from b"), "b's own marker");

        seen.Snapshot().ShouldNotContain(s => s.Contains("forged"));
    }

    private static MqttClient Client(MqttCredentials credentials, string clientId) => FakeNode.BrokerClient(credentials, clientId);
}
