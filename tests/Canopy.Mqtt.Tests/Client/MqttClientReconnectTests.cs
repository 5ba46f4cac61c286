using Canopy.Mqtt.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Canopy.Mqtt.Tests.Client;

/// <summary>Broker crash (SIGKILL) and restart on the same port.</summary>
public sealed class MqttClientReconnectTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Client_reconnects_after_broker_restart_and_restores_subscriptions()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var subscriber = TestClients.Create(output, broker.Port, "restart-sub");
        await using var publisher = TestClients.Create(output, broker.Port, "restart-pub");
        var received = MessageCollector.AttachTo(subscriber);
        var subscriberLost = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscriberBack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscriberConnects = 0;
        subscriber.Disconnected += ex =>
        {
            subscriberLost.TrySetResult(ex);
            return Task.CompletedTask;
        };
        subscriber.Connected += () =>
        {
            if (Interlocked.Increment(ref subscriberConnects) == 2)
            {
                subscriberBack.TrySetResult();
            }

            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(CancellationToken.None);
        await publisher.ConnectAsync(CancellationToken.None);
        await subscriber.SubscribeAsync("restart/#", MqttQos.AtLeastOnce, CancellationToken.None);
        await publisher.PublishAsync("restart/before", "1");
        await received.WaitForTopicAsync("restart/before");

        await broker.KillAsync();
        (await subscriberLost.Task.Within("the subscriber to notice the broker died")).ShouldNotBeNull();
        subscriber.IsConnected.ShouldBeFalse();
        var publishedWhileDown = publisher.PublishAsync("restart/while-down", "2");
        publishedWhileDown.IsCompleted.ShouldBeFalse();

        await broker.RestartAsync();

        await subscriberBack.Task.Within("the subscriber to reconnect and re-subscribe");
        await publishedWhileDown.Within("the publish issued while the broker was down to be acknowledged");
        await publisher.PublishAsync("restart/after", "3").Within("publish after restart");
        (await received.WaitForTopicAsync("restart/after")).PayloadText.ShouldBe("3");
        subscriber.IsConnected.ShouldBeTrue();
        publisher.IsConnected.ShouldBeTrue();
    }

    [Fact]
    public async Task Connecting_to_a_port_without_broker_throws_SocketException()
    {
        int port;
        await using (var broker = await MosquittoBroker.StartAsync())
        {
            port = broker.Port;
        }

        await using var client = TestClients.Create(output, port, "nobody-home");
        await Should.ThrowAsync<System.Net.Sockets.SocketException>(() => client.ConnectAsync(CancellationToken.None).Within("refusal"));
        client.IsConnected.ShouldBeFalse();
    }
}
