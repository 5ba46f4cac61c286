using System.Net.Sockets;
using Canopy.Mqtt.Packets;

namespace Canopy.Mqtt;

// Socket I/O: the single writer, the read loop, keep-alive, request/acknowledgement bookkeeping.
public sealed partial class MqttClient
{
    /// <summary>Writes one packet under the writer lock. False when the connection is (or became) closed.</summary>
    private async ValueTask<bool> TryWritePacketAsync(MqttConnection connection, MqttPacket packet, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (connection.IsClosed)
            {
                return false;
            }

            _writeBuffer.ResetWrittenCount();
            MqttPacketEncoder.Write(packet, _writeBuffer);
            await connection.WriteAsync(_writeBuffer.WrittenMemory).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (IsConnectionFailure(ex, connection))
        {
            CloseConnection(connection, ex);
            return false;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Writes a pending QoS 1 message unless it was already written on this connection (a reconnect re-send and the
    /// waiting publisher may race). Re-sends carry DUP=1. False when the connection is closed.
    /// </summary>
    private async ValueTask<bool> SendPublishAsync(MqttConnection connection, PendingPublish entry, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            PublishPacket packet;
            lock (_sync)
            {
                if (connection.IsClosed)
                {
                    return false;
                }

                if (entry.Abandoned || entry.Completion.Task.IsCompleted || entry.SentOn == connection)
                {
                    return true;
                }

                packet = entry.Attempted ? entry.Packet.AsDuplicate() : entry.Packet;
                entry.Attempted = true;
                entry.SentOn = connection;
            }

            await WritePublishLockedAsync(connection, packet).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (IsConnectionFailure(ex, connection))
        {
            CloseConnection(connection, ex);
            return false;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task PublishAtMostOnceAsync(PublishPacket packet, CancellationToken ct)
    {
        MqttConnection? connection;
        lock (_sync)
        {
            connection = _current;
        }

        if (connection is null)
        {
            MqttClientLog.Qos0Dropped(_logger, packet.Topic);
            return;
        }

        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (connection.IsClosed)
            {
                MqttClientLog.Qos0Dropped(_logger, packet.Topic);
                return;
            }

            await WritePublishLockedAsync(connection, packet).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionFailure(ex, connection))
        {
            CloseConnection(connection, ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Caller holds the writer lock. Small messages go out in one write, large payloads without a copy.</summary>
    private async ValueTask WritePublishLockedAsync(MqttConnection connection, PublishPacket packet)
    {
        _writeBuffer.ResetWrittenCount();
        if (packet.Payload.Length <= DirectPayloadThreshold)
        {
            MqttPacketEncoder.Write(packet, _writeBuffer);
            await connection.WriteAsync(_writeBuffer.WrittenMemory).ConfigureAwait(false);
            return;
        }

        MqttPacketEncoder.WritePublishHeader(packet, _writeBuffer);
        await connection.WriteAsync(_writeBuffer.WrittenMemory).ConfigureAwait(false);
        await connection.WriteAsync(packet.Payload).ConfigureAwait(false);
    }

    private static bool IsConnectionFailure(Exception ex, MqttConnection connection) =>
        ex is IOException or SocketException or ObjectDisposedException
        || (ex is OperationCanceledException && connection.Token.IsCancellationRequested);

    private PendingPublish RegisterPublish(string topic, ReadOnlyMemory<byte> payload, bool retain)
    {
        lock (_sync)
        {
            EnsureRunningLocked();
            var id = _packetIds.Allocate();
            var packet = new PublishPacket(topic, payload, MqttQos.AtLeastOnce, retain, id);
            try
            {
                packet.GetBodyLength(); // validates the size before anything is queued
            }
            catch
            {
                _packetIds.Release(id);
                throw;
            }

            var entry = new PendingPublish(packet, ++_publishSequence);
            _inflight.Add(id, entry);
            return entry;
        }
    }

    /// <summary>The publisher gave up. Never written: forget it now; written: keep the id until PUBACK or reconnect.</summary>
    private void AbandonPublish(PendingPublish entry)
    {
        lock (_sync)
        {
            if (entry.Completion.Task.IsCompleted)
            {
                return;
            }

            entry.Abandoned = true;
            if (!entry.Attempted && _inflight.Remove(entry.PacketId))
            {
                _packetIds.Release(entry.PacketId);
            }
        }
    }

    /// <summary>Sends a SUBSCRIBE/UNSUBSCRIBE and waits for its acknowledgement; <see cref="ConnectionLostException"/> if the connection goes away.</summary>
    private async Task<MqttPacket> ExchangeAsync(
        MqttConnection connection, MqttPacketType expectedAck, Func<ushort, MqttPacket> createPacket, CancellationToken ct)
    {
        PendingRequest request;
        lock (_sync)
        {
            if (_state == MqttClientState.Stopped)
            {
                throw StoppedException();
            }

            if (connection.IsClosed)
            {
                throw new ConnectionLostException(null);
            }

            request = new PendingRequest(_packetIds.Allocate(), connection, expectedAck);
            _requests.Add(request.PacketId, request);
        }

        try
        {
            if (!await TryWritePacketAsync(connection, createPacket(request.PacketId), ct).ConfigureAwait(false))
            {
                throw new ConnectionLostException(null);
            }

            return await request.Completion.Task.WaitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            lock (_sync)
            {
                if (_requests.Remove(request.PacketId))
                {
                    _packetIds.Release(request.PacketId);
                }
            }
        }
    }

    private async Task ReadLoopAsync(MqttConnection connection)
    {
        Exception? error = null;
        try
        {
            while (!connection.IsClosed)
            {
                var packet = await connection.Reader.ReadAsync(connection.Token).ConfigureAwait(false);
                connection.MarkReceived();
                switch (packet)
                {
                    case PublishPacket publish:
                        await EnqueueIncomingAsync(connection, publish).ConfigureAwait(false);
                        break;
                    case PubAckPacket ack:
                        CompletePublish(ack.PacketId);
                        break;
                    case SubAckPacket ack:
                        CompleteRequest(ack.PacketId, ack);
                        break;
                    case UnsubAckPacket ack:
                        CompleteRequest(ack.PacketId, ack);
                        break;
                    case PingRespPacket:
                        break;
                    default:
                        throw new MqttProtocolException($"Unexpected {packet.Type} packet from the broker.");
                }
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            CloseConnection(connection, error);
            connection.Reader.Dispose();
        }
    }

    private async ValueTask EnqueueIncomingAsync(MqttConnection connection, PublishPacket publish)
    {
        var item = new IncomingPublish(connection, publish);
        if (_incoming.Writer.TryWrite(item))
        {
            return;
        }

        // Handler queue full: stop reading (TCP back-pressure to the broker) until the handler catches up.
        connection.ReaderPaused = true;
        try
        {
            await _incoming.Writer.WriteAsync(item, connection.Token).ConfigureAwait(false);
        }
        finally
        {
            connection.MarkReceived();
            connection.ReaderPaused = false;
        }
    }

    private void CompletePublish(ushort packetId)
    {
        PendingPublish? entry;
        lock (_sync)
        {
            if (!_inflight.Remove(packetId, out entry))
            {
                return;
            }

            _packetIds.Release(packetId);
        }

        entry.Completion.TrySetResult();
    }

    private void CompleteRequest(ushort packetId, MqttPacket ack)
    {
        PendingRequest? request;
        lock (_sync)
        {
            _requests.TryGetValue(packetId, out request);
        }

        if (request is not null && request.ExpectedAck == ack.Type)
        {
            request.Completion.TrySetResult(ack);
        }
    }

    /// <summary>
    /// PINGREQ after <see cref="MqttClientOptions.KeepAlive"/> without sending or receiving; the connection is dropped
    /// when nothing arrived for 1.5 × KeepAlive, or when a write is stuck that long.
    /// </summary>
    /// <remarks>
    /// The connection is only declared dead while a PINGREQ is outstanding that the broker has had at least
    /// 0.5 × KeepAlive to answer. Normally that is the same 1.5 × KeepAlive deadline, but if this process stalls
    /// (GC pause, CPU starvation) and the timer fires late, a healthy connection is asked first instead of dropped.
    /// </remarks>
    private async Task KeepAliveLoopAsync(MqttConnection connection)
    {
        var keepAliveMs = (long)_options.KeepAlive.TotalMilliseconds;
        if (keepAliveMs <= 0)
        {
            return;
        }

        var timeoutMs = keepAliveMs * 3 / 2;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Clamp(keepAliveMs / 8, 10, 1000)));
        try
        {
            while (await timer.WaitForNextTickAsync(connection.Token).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                var writeStarted = connection.WriteStartedTicks;
                if (writeStarted != 0 && now - writeStarted > timeoutMs)
                {
                    CloseConnection(connection, new TimeoutException($"A write to the MQTT broker has been stuck for more than {timeoutMs} ms."));
                    return;
                }

                var receiveIdle = now - connection.LastReceiveTicks;
                if (connection.PingOutstanding)
                {
                    if (!connection.ReaderPaused && receiveIdle > timeoutMs && now - connection.PingSentTicks >= keepAliveMs / 2)
                    {
                        CloseConnection(connection, new TimeoutException(
                            $"Nothing received from the MQTT broker for {receiveIdle} ms (limit 1.5 x keep-alive = {timeoutMs} ms, PINGREQ unanswered); the connection is considered dead."));
                        return;
                    }
                }
                else if (now - connection.LastSendTicks >= keepAliveMs || receiveIdle >= keepAliveMs)
                {
                    connection.MarkPingSent(now);
                    _ = SendPingAsync(connection);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Connection closed.
        }
    }

    /// <summary>Not awaited by the keep-alive loop, so a stuck writer cannot stall the dead-connection checks.</summary>
    private async Task SendPingAsync(MqttConnection connection)
    {
        try
        {
            await TryWritePacketAsync(connection, PingReqPacket.Instance, connection.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Connection closed while waiting for the writer lock.
        }
    }
}
