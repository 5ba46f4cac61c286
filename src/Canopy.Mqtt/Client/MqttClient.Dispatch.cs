using Canopy.Mqtt.Packets;

namespace Canopy.Mqtt;

// Handler invocation: messages and lifecycle events each on their own sequential background task.
public sealed partial class MqttClient
{
    private async Task DispatchMessagesAsync()
    {
        _inHandler.Value = true;
        var stop = _stopCts.Token;
        try
        {
            await foreach (var item in _incoming.Reader.ReadAllAsync(stop).ConfigureAwait(false))
            {
                var packet = item.Packet;
                var handlers = MessageReceived;
                if (handlers is not null)
                {
                    var message = new MqttMessage(packet.Topic, packet.Payload, packet.Qos, packet.Retain);
                    foreach (var handler in Delegate.EnumerateInvocationList(handlers))
                    {
                        try
                        {
                            await handler(message).ConfigureAwait(false);
                        }
                        catch (Exception ex)
                        {
                            MqttClientLog.MessageHandlerFailed(_logger, ex, message.Topic);
                        }
                    }
                }

                if (packet.Qos == MqttQos.AtLeastOnce)
                {
                    // Acknowledged only after the handlers ran. If the connection it came on is gone, the broker
                    // re-delivers it (persistent session) and we must not ack on a different connection.
                    await TryWritePacketAsync(item.Connection, new PubAckPacket(packet.PacketId), stop).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping: queued messages are dropped (unacknowledged QoS 1 ones stay with the broker).
        }
    }

    private async Task DispatchEventsAsync()
    {
        _inHandler.Value = true;
        await foreach (var lifecycleEvent in _events.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (lifecycleEvent.IsConnected)
            {
                var handlers = Connected;
                foreach (var handler in Delegate.EnumerateInvocationList(handlers))
                {
                    try
                    {
                        await handler().ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        MqttClientLog.EventHandlerFailed(_logger, ex, nameof(Connected));
                    }
                }
            }
            else
            {
                var handlers = Disconnected;
                foreach (var handler in Delegate.EnumerateInvocationList(handlers))
                {
                    try
                    {
                        await handler(lifecycleEvent.Error).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        MqttClientLog.EventHandlerFailed(_logger, ex, nameof(Disconnected));
                    }
                }
            }
        }
    }
}
