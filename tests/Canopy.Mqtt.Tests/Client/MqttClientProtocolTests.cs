using System.Text;
using Canopy.Mqtt.Packets;
using Canopy.Mqtt.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Canopy.Mqtt.Tests.Client;

/// <summary>Protocol behaviour checked against a scripted fake broker.</summary>
public sealed class MqttClientProtocolTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Connect_sends_the_configured_CONNECT()
    {
        await using var broker = new FakeBroker();
        await using var client = TestClients.Create(output, broker.Port, "node-7", o =>
        {
            o.Username = "node-7";
            o.Password = "pw";
            o.CleanSession = false;
            o.KeepAlive = TimeSpan.FromSeconds(30);
            o.Will = new MqttWill("nodes/node-7/status", Encoding.UTF8.GetBytes("offline"), MqttQos.AtLeastOnce, Retain: true);
        });

        var connecting = client.ConnectAsync(CancellationToken.None);
        var (_, connect) = await broker.AcceptAndConnAckAsync();
        await connecting.Within("ConnectAsync");

        connect.ClientId.ShouldBe("node-7");
        connect.Username.ShouldBe("node-7");
        connect.Password.ShouldBe(Encoding.UTF8.GetBytes("pw"));
        connect.CleanSession.ShouldBeFalse();
        connect.KeepAliveSeconds.ShouldBe((ushort)30);
        connect.Will.ShouldNotBeNull();
        connect.Will.Topic.ShouldBe("nodes/node-7/status");
        connect.Will.Retain.ShouldBeTrue();
        client.IsConnected.ShouldBeTrue();
    }

    [Theory]
    [InlineData(MqttConnectResult.UnacceptableProtocolVersion)]
    [InlineData(MqttConnectResult.IdentifierRejected)]
    [InlineData(MqttConnectResult.ServerUnavailable)]
    [InlineData(MqttConnectResult.BadUsernameOrPassword)]
    [InlineData(MqttConnectResult.NotAuthorized)]
    public async Task Refused_CONNACK_throws_MqttConnectException(MqttConnectResult result)
    {
        await using var broker = new FakeBroker();
        await using var client = TestClients.Create(output, broker.Port, "c");

        var connecting = client.ConnectAsync(CancellationToken.None);
        await broker.AcceptAndConnAckAsync(result);

        (await Should.ThrowAsync<MqttConnectException>(() => connecting.Within("refusal"))).Result.ShouldBe(result);
        client.IsConnected.ShouldBeFalse();
    }

    [Fact]
    public async Task Silent_broker_makes_ConnectAsync_time_out()
    {
        await using var broker = new FakeBroker();
        await using var client = TestClients.Create(output, broker.Port, "c", o => o.ConnectTimeout = TimeSpan.FromMilliseconds(300));

        var connecting = client.ConnectAsync(CancellationToken.None);
        var connection = await broker.AcceptAsync();
        await connection.ExpectAsync<ConnectPacket>();

        await Should.ThrowAsync<TimeoutException>(() => connecting.Within("the connect timeout"));
    }

    [Fact]
    public async Task Missing_PINGRESP_drops_the_connection_and_reconnects()
    {
        await using var broker = new FakeBroker();
        await using var client = TestClients.Create(output, broker.Port, "c", o => o.KeepAlive = TimeSpan.FromMilliseconds(400));
        var lost = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Disconnected += ex =>
        {
            lost.TrySetResult(ex);
            return Task.CompletedTask;
        };

        var connecting = client.ConnectAsync(CancellationToken.None);
        var (first, _) = await broker.AcceptAndConnAckAsync();
        await connecting;
        await first.ExpectAsync<PingReqPacket>(); // ... and never answered

        (await lost.Task.Within("keep-alive timeout")).ShouldBeOfType<TimeoutException>();
        var (second, _) = await broker.AcceptAndConnAckAsync(what: "the reconnect");
        await second.ExpectAsync<PingReqPacket>();
        await second.SendAsync(PingRespPacket.Instance);
    }

    [Fact]
    public async Task Answered_PINGREQs_keep_the_connection_alive()
    {
        await using var broker = new FakeBroker();
        // 1 s keep-alive: the broker gets 0.5 s to answer each PINGREQ, enough even on a loaded CI machine.
        await using var client = TestClients.Create(output, broker.Port, "c", o => o.KeepAlive = TimeSpan.FromSeconds(1));
        Exception? lost = null;
        client.Disconnected += ex =>
        {
            lost = ex;
            return Task.CompletedTask;
        };

        var connecting = client.ConnectAsync(CancellationToken.None);
        var (connection, connect) = await broker.AcceptAndConnAckAsync();
        await connecting;
        connect.KeepAliveSeconds.ShouldBe((ushort)1);
        for (var i = 0; i < 3; i++)
        {
            await connection.ExpectAsync<PingReqPacket>();
            await connection.SendAsync(PingRespPacket.Instance);
        }

        lost.ShouldBeNull();
        client.IsConnected.ShouldBeTrue();
    }

    [Fact]
    public async Task Unacknowledged_QoS1_publish_is_resent_with_DUP_after_reconnect()
    {
        await using var broker = new FakeBroker();
        await using var client = TestClients.Create(output, broker.Port, "c");
        var connecting = client.ConnectAsync(CancellationToken.None);
        var (first, _) = await broker.AcceptAndConnAckAsync();
        await connecting;

        var publish = client.PublishAsync("telemetry/t1", "42");
        var original = await first.ExpectAsync<PublishPacket>();
        original.Dup.ShouldBeFalse();
        original.Qos.ShouldBe(MqttQos.AtLeastOnce);
        first.Abort(); // PUBACK never sent

        var (second, _) = await broker.AcceptAndConnAckAsync(what: "the reconnect");
        var resent = await second.ExpectAsync<PublishPacket>();
        resent.Dup.ShouldBeTrue();
        resent.PacketId.ShouldBe(original.PacketId);
        resent.Topic.ShouldBe("telemetry/t1");
        Encoding.UTF8.GetString(resent.Payload.Span).ShouldBe("42");
        publish.IsCompleted.ShouldBeFalse();

        await second.SendAsync(new PubAckPacket(resent.PacketId));
        await publish.Within("PUBACK of the re-sent message");
    }

    [Fact]
    public async Task Reconnect_restores_subscriptions_before_raising_Connected()
    {
        await using var broker = new FakeBroker();
        await using var client = TestClients.Create(output, broker.Port, "c");
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connects = 0;
        client.Connected += () =>
        {
            if (Interlocked.Increment(ref connects) == 2)
            {
                reconnected.TrySetResult();
            }

            return Task.CompletedTask;
        };
        var connecting = client.ConnectAsync(CancellationToken.None);
        var (first, _) = await broker.AcceptAndConnAckAsync();
        await connecting;
        foreach (var filter in new[] { "a/#", "b/+/c" })
        {
            var subscribing = client.SubscribeAsync(filter, MqttQos.AtLeastOnce, CancellationToken.None);
            var subscribe = await first.ExpectAsync<SubscribePacket>();
            await first.SendAsync(new SubAckPacket(subscribe.PacketId, [1]));
            await subscribing.Within("SUBACK");
        }

        first.Abort();
        var (second, _) = await broker.AcceptAndConnAckAsync(what: "the reconnect");
        var restore = await second.ExpectAsync<SubscribePacket>();
        restore.Subscriptions.Select(s => s.Filter).ShouldBe(["a/#", "b/+/c"], ignoreOrder: true);
        reconnected.Task.IsCompleted.ShouldBeFalse();
        await second.SendAsync(new SubAckPacket(restore.PacketId, [1, 1]));

        await reconnected.Task.Within("Connected after re-subscription");
    }

    [Fact]
    public async Task Refused_SUBACK_throws_MqttSubscribeException_and_is_not_remembered()
    {
        await using var broker = new FakeBroker();
        await using var client = TestClients.Create(output, broker.Port, "c");
        var connecting = client.ConnectAsync(CancellationToken.None);
        var (connection, _) = await broker.AcceptAndConnAckAsync();
        await connecting;

        var subscribing = client.SubscribeAsync("forbidden/#", MqttQos.AtLeastOnce, CancellationToken.None);
        var subscribe = await connection.ExpectAsync<SubscribePacket>();
        await connection.SendAsync(new SubAckPacket(subscribe.PacketId, [SubAckPacket.Failure]));

        (await Should.ThrowAsync<MqttSubscribeException>(() => subscribing.Within("refusal"))).TopicFilter.ShouldBe("forbidden/#");
        client.SubscriptionCount.ShouldBe(0);
    }

    [Fact]
    public async Task Incoming_QoS1_is_acknowledged_only_after_the_handler_ran()
    {
        await using var broker = new FakeBroker();
        await using var client = TestClients.Create(output, broker.Port, "c");
        var handlerEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = false;
        client.MessageReceived += async m =>
        {
            handlerEntered.TrySetResult();
            await releaseHandler.Task;
            handled = true;
        };
        var connecting = client.ConnectAsync(CancellationToken.None);
        var (connection, _) = await broker.AcceptAndConnAckAsync();
        await connecting;

        await connection.SendAsync(new PublishPacket("cmd/restart", Encoding.UTF8.GetBytes("now"), MqttQos.AtLeastOnce, false, packetId: 777));
        await handlerEntered.Task.Within("the handler to start");
        var next = connection.ReadAsync();
        // Observation window, not synchronisation: a premature PUBACK would show up here.
        (await Task.WhenAny(next, Task.Delay(200))).ShouldNotBe(next, "PUBACK must wait for the handler");
        releaseHandler.SetResult();

        var ack = (await next.Within("PUBACK")).ShouldBeOfType<PubAckPacket>();
        ack.PacketId.ShouldBe((ushort)777);
        handled.ShouldBeTrue();
    }

    [Fact]
    public async Task Messages_are_delivered_sequentially_in_arrival_order()
    {
        await using var broker = new FakeBroker();
        await using var client = TestClients.Create(output, broker.Port, "c");
        var concurrent = 0;
        var maxConcurrent = 0;
        var order = new List<int>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.MessageReceived += async m =>
        {
            var now = Interlocked.Increment(ref concurrent);
            maxConcurrent = Math.Max(maxConcurrent, now);
            await Task.Yield();
            order.Add(m.Payload.Span[0]);
            Interlocked.Decrement(ref concurrent);
            if (order.Count == 50)
            {
                done.TrySetResult();
            }
        };
        var connecting = client.ConnectAsync(CancellationToken.None);
        var (connection, _) = await broker.AcceptAndConnAckAsync();
        await connecting;

        for (var i = 0; i < 50; i++)
        {
            await connection.SendAsync(new PublishPacket("seq", new[] { (byte)i }, MqttQos.AtMostOnce, false));
        }

        await done.Task.Within("50 messages");
        order.ShouldBe(Enumerable.Range(0, 50));
        maxConcurrent.ShouldBe(1);
    }

    [Fact]
    public async Task DisconnectAsync_sends_DISCONNECT_and_stops_reconnecting()
    {
        await using var broker = new FakeBroker();
        await using var client = TestClients.Create(output, broker.Port, "c");
        var connecting = client.ConnectAsync(CancellationToken.None);
        var (connection, _) = await broker.AcceptAndConnAckAsync();
        await connecting;

        var disconnecting = client.DisconnectAsync(CancellationToken.None);
        await connection.ExpectAsync<DisconnectPacket>();
        await disconnecting.Within("DisconnectAsync");

        client.IsConnected.ShouldBeFalse();
        await Should.ThrowAsync<EndOfStreamException>(() => connection.ReadAsync().Within("socket close"));
        await Should.ThrowAsync<ObjectDisposedException>(() => client.SubscribeAsync("a", MqttQos.AtMostOnce, CancellationToken.None));
        await Should.ThrowAsync<ObjectDisposedException>(() => client.ConnectAsync(CancellationToken.None));
    }
}
