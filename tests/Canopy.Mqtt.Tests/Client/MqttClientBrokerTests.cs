using System.Text;
using Canopy.Mqtt.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Canopy.Mqtt.Tests.Client;

/// <summary>Round trips through a real, anonymous mosquitto shared by this class.</summary>
public sealed class MqttClientBrokerTests(MosquittoFixture fixture, ITestOutputHelper output) : IClassFixture<MosquittoFixture>
{
    private int Port => fixture.Broker.Port;

    [Theory]
    [InlineData(MqttQos.AtMostOnce, MqttQos.AtMostOnce, MqttQos.AtMostOnce)]
    [InlineData(MqttQos.AtLeastOnce, MqttQos.AtLeastOnce, MqttQos.AtLeastOnce)]
    [InlineData(MqttQos.AtLeastOnce, MqttQos.AtMostOnce, MqttQos.AtMostOnce)]
    [InlineData(MqttQos.AtMostOnce, MqttQos.AtLeastOnce, MqttQos.AtMostOnce)]
    public async Task Publish_and_subscribe_round_trip(MqttQos publishQos, MqttQos subscribeQos, MqttQos expectedQos)
    {
        var topic = $"rt/{Guid.NewGuid():N}/value";
        await using var subscriber = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("sub"));
        var received = MessageCollector.AttachTo(subscriber);
        await subscriber.SubscribeAsync(topic.Replace("/value", "/+"), subscribeQos, CancellationToken.None);
        await using var publisher = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("pub"));

        await publisher.PublishAsync(topic, "21.5", publishQos).Within("publish");

        var message = await received.WaitForTopicAsync(topic);
        message.PayloadText.ShouldBe("21.5");
        message.Qos.ShouldBe(expectedQos);
        message.Retain.ShouldBeFalse();
        subscriber.IsConnected.ShouldBeTrue();
        publisher.IsConnected.ShouldBeTrue();
    }

    [Fact]
    public async Task QoS1_messages_arrive_in_order()
    {
        var topic = $"order/{Guid.NewGuid():N}";
        await using var subscriber = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("sub"));
        var received = MessageCollector.AttachTo(subscriber);
        await subscriber.SubscribeAsync(topic, MqttQos.AtLeastOnce, CancellationToken.None);
        await using var publisher = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("pub"));

        for (var i = 0; i < 200; i++)
        {
            await publisher.PublishAsync(topic, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await received.WaitForAsync(m => m.PayloadText == "199", "the last message");
        received.Messages.Select(m => int.Parse(m.PayloadText, System.Globalization.CultureInfo.InvariantCulture))
            .ShouldBe(Enumerable.Range(0, 200));
    }

    [Fact]
    public async Task Concurrent_QoS1_publishes_all_complete_and_arrive()
    {
        var topic = $"concurrent/{Guid.NewGuid():N}";
        await using var subscriber = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("sub"));
        var received = MessageCollector.AttachTo(subscriber);
        await subscriber.SubscribeAsync(topic, MqttQos.AtLeastOnce, CancellationToken.None);
        await using var publisher = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("pub"));

        await Task.WhenAll(Enumerable.Range(0, 500).Select(i => publisher.PublishAsync(topic, $"m{i}"))).Within("500 PUBACKs");

        await received.WaitForAsync(_ => received.Messages.Count >= 500, "500 messages");
        received.Messages.Select(m => m.PayloadText).Distinct().Count().ShouldBe(500);
    }

    [Fact]
    public async Task Large_payload_round_trips()
    {
        var topic = $"large/{Guid.NewGuid():N}";
        var payload = new byte[1_500_000];
        Random.Shared.NextBytes(payload);
        await using var subscriber = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("sub"));
        var received = MessageCollector.AttachTo(subscriber);
        await subscriber.SubscribeAsync(topic, MqttQos.AtLeastOnce, CancellationToken.None);
        await using var publisher = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("pub"));

        await publisher.PublishAsync(topic, payload).Within("large publish");

        (await received.WaitForTopicAsync(topic)).Payload.Span.SequenceEqual(payload).ShouldBeTrue("payload must round-trip unchanged");
    }

    [Fact]
    public async Task Retained_message_is_delivered_to_a_later_subscriber()
    {
        var topic = $"retained/{Guid.NewGuid():N}/status";
        await using (var publisher = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("pub")))
        {
            await publisher.PublishAsync(topic, "online", MqttQos.AtLeastOnce, retain: true);
            await publisher.DisconnectAsync(CancellationToken.None);
        }

        await using var subscriber = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("late"));
        var received = MessageCollector.AttachTo(subscriber);
        await subscriber.SubscribeAsync(topic, MqttQos.AtLeastOnce, CancellationToken.None);

        var message = await received.WaitForTopicAsync(topic);
        message.PayloadText.ShouldBe("online");
        message.Retain.ShouldBeTrue();
    }

    [Fact]
    public async Task Last_will_is_published_when_the_connection_dies_abruptly()
    {
        var willTopic = $"wills/{Guid.NewGuid():N}";
        await using var observer = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("observer"));
        var received = MessageCollector.AttachTo(observer);
        await observer.SubscribeAsync(willTopic, MqttQos.AtLeastOnce, CancellationToken.None);
        await using var victim = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("victim"), o =>
            o.Will = new MqttWill(willTopic, Encoding.UTF8.GetBytes("offline")));

        victim.AbortConnectionForTesting();

        var will = await received.WaitForTopicAsync(willTopic);
        will.PayloadText.ShouldBe("offline");
        will.Qos.ShouldBe(MqttQos.AtLeastOnce);
    }

    [Fact]
    public async Task No_will_after_a_clean_disconnect()
    {
        var willTopic = $"wills/{Guid.NewGuid():N}";
        var victimId = TestClients.UniqueId("victim");
        await using var observer = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("observer"));
        var received = MessageCollector.AttachTo(observer);
        await observer.SubscribeAsync(willTopic, MqttQos.AtLeastOnce, CancellationToken.None);
        await using var victim = await TestClients.ConnectAsync(output, Port, victimId, o =>
            o.Will = new MqttWill(willTopic, Encoding.UTF8.GetBytes("offline")));

        await victim.DisconnectAsync(CancellationToken.None).Within("DisconnectAsync");
        victim.IsConnected.ShouldBeFalse();

        // Once the broker has handled the disconnect, a will would already be queued for the observer:
        // a marker sent afterwards must be the first thing that arrives on the topic.
        await fixture.Broker.WaitForLogAsync($"Client {victimId} disconnected.");
        await observer.PublishAsync(willTopic, "marker");
        (await received.WaitForTopicAsync(willTopic)).PayloadText.ShouldBe("marker");
        received.Messages.Where(m => m.Topic == willTopic).Select(m => m.PayloadText).ShouldBe(["marker"]);
    }

    [Fact]
    public async Task Unsubscribe_stops_delivery()
    {
        var topic = $"unsub/{Guid.NewGuid():N}";
        await using var client = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("c"));
        var received = MessageCollector.AttachTo(client);
        await client.SubscribeAsync(topic + "/data", MqttQos.AtLeastOnce, CancellationToken.None);
        await client.SubscribeAsync(topic + "/marker", MqttQos.AtLeastOnce, CancellationToken.None);
        client.SubscriptionCount.ShouldBe(2);

        await client.UnsubscribeAsync(topic + "/data", CancellationToken.None);
        client.SubscriptionCount.ShouldBe(1);
        await client.PublishAsync(topic + "/data", "ignored");
        await client.PublishAsync(topic + "/marker", "marker");

        await received.WaitForTopicAsync(topic + "/marker");
        received.Messages.ShouldNotContain(m => m.Topic == topic + "/data");
    }

    [Fact]
    public async Task A_failing_handler_is_logged_and_does_not_stop_delivery()
    {
        var topic = $"faulty/{Guid.NewGuid():N}";
        await using var client = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("c"));
        var calls = 0;
        client.MessageReceived += _ => Interlocked.Increment(ref calls) == 1
            ? throw new InvalidOperationException("handler bug")
            : Task.CompletedTask;
        var received = MessageCollector.AttachTo(client);
        await client.SubscribeAsync(topic, MqttQos.AtLeastOnce, CancellationToken.None);

        await client.PublishAsync(topic, "1");
        await client.PublishAsync(topic, "2");

        await received.WaitForAsync(m => m.PayloadText == "2", "the second message");
        received.Messages.Select(m => m.PayloadText).ShouldBe(["1", "2"]);
        client.IsConnected.ShouldBeTrue();
    }

    [Fact]
    public async Task A_handler_can_publish_QoS1_and_await_the_PUBACK()
    {
        var topic = $"echo/{Guid.NewGuid():N}";
        await using var client = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("echo"));
        client.MessageReceived += async m =>
        {
            if (m.Topic == topic + "/in")
            {
                await client.PublishAsync(topic + "/out", "echo:" + m.PayloadText);
            }
        };
        var received = MessageCollector.AttachTo(client);
        await client.SubscribeAsync(topic + "/#", MqttQos.AtLeastOnce, CancellationToken.None);

        await client.PublishAsync(topic + "/in", "ping");

        (await received.WaitForTopicAsync(topic + "/out")).PayloadText.ShouldBe("echo:ping");
    }

    [Fact]
    public async Task A_handler_can_disconnect_the_client_without_deadlock()
    {
        var topic = $"stop/{Guid.NewGuid():N}";
        await using var client = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("stopper"));
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.MessageReceived += async _ =>
        {
            await client.DisconnectAsync(CancellationToken.None);
            stopped.TrySetResult();
        };
        await client.SubscribeAsync(topic, MqttQos.AtLeastOnce, CancellationToken.None);
        await using var trigger = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("trigger"));

        await trigger.PublishAsync(topic, "stop");

        await stopped.Task.Within("DisconnectAsync called from the handler");
        client.IsConnected.ShouldBeFalse();
    }

    [Fact]
    public async Task Connected_event_fires_after_connect_and_Disconnected_with_null_after_DisconnectAsync()
    {
        await using var client = TestClients.Create(output, Port, TestClients.UniqueId("events"));
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var disconnected = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Connected += () =>
        {
            connected.TrySetResult();
            return Task.CompletedTask;
        };
        client.Disconnected += ex =>
        {
            disconnected.TrySetResult(ex);
            return Task.CompletedTask;
        };

        await client.ConnectAsync(CancellationToken.None);
        await connected.Task.Within("Connected");
        await client.DisconnectAsync(CancellationToken.None);

        (await disconnected.Task.Within("Disconnected")).ShouldBeNull();
        await Should.ThrowAsync<ObjectDisposedException>(() => client.PublishAsync("a", "b"));
    }

    [Fact]
    public async Task QoS1_publish_while_disconnected_waits_and_is_delivered_after_reconnect()
    {
        var topic = $"offline/{Guid.NewGuid():N}";
        await using var subscriber = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("sub"));
        var received = MessageCollector.AttachTo(subscriber);
        await subscriber.SubscribeAsync(topic, MqttQos.AtLeastOnce, CancellationToken.None);
        await using var publisher = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("pub"));
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connects = 0;
        publisher.Connected += () =>
        {
            if (Interlocked.Increment(ref connects) == 2)
            {
                reconnected.TrySetResult();
            }

            return Task.CompletedTask;
        };

        publisher.AbortConnectionForTesting();
        publisher.IsConnected.ShouldBeFalse();
        var publish = publisher.PublishAsync(topic, "queued while offline");

        await publish.Within("the queued publish to be acknowledged after the reconnect");
        await reconnected.Task.Within("publisher reconnect");
        (await received.WaitForTopicAsync(topic)).PayloadText.ShouldBe("queued while offline");
    }

    [Fact]
    public async Task Subscriptions_are_restored_after_the_connection_is_lost()
    {
        var topic = $"restore/{Guid.NewGuid():N}";
        await using var subscriber = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("sub"));
        var received = MessageCollector.AttachTo(subscriber);
        await subscriber.SubscribeAsync(topic, MqttQos.AtLeastOnce, CancellationToken.None);
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.Connected += () =>
        {
            reconnected.TrySetResult();
            return Task.CompletedTask;
        };
        await using var publisher = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("pub"));

        subscriber.AbortConnectionForTesting();
        await reconnected.Task.Within("subscriber reconnect");
        await publisher.PublishAsync(topic, "after reconnect");

        (await received.WaitForTopicAsync(topic)).PayloadText.ShouldBe("after reconnect");
    }

    [Fact]
    public async Task Cancelled_publish_while_disconnected_throws_OperationCanceled()
    {
        await using var client = await TestClients.ConnectAsync(output, Port, TestClients.UniqueId("cancel"), o =>
            o.ReconnectMinDelay = o.ReconnectMaxDelay = TimeSpan.FromSeconds(30));
        client.AbortConnectionForTesting();
        using var cts = new CancellationTokenSource();

        var publish = client.PublishAsync("cancel/topic", "x", ct: cts.Token);
        publish.IsCompleted.ShouldBeFalse();
        await cts.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => publish.Within("cancelled publish"));
    }
}
