using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Canopy.Mqtt.Packets;

namespace Canopy.Mqtt;

// Connection lifecycle: first connect, supervision, reconnect with back-off, graceful stop.
public sealed partial class MqttClient
{
    /// <summary>
    /// Connects once. Throws <see cref="MqttConnectException"/> when the broker refuses the connection,
    /// <see cref="SocketException"/>/<see cref="IOException"/> when it cannot be reached, <see cref="AuthenticationException"/> when
    /// TLS is on and the broker's certificate is refused (or the broker speaks no TLS), <see cref="TimeoutException"/>
    /// after <see cref="MqttClientOptions.ConnectTimeout"/>. After success the client stays connected on its own.
    /// </summary>
    public async Task ConnectAsync(CancellationToken ct)
    {
        lock (_sync)
        {
            if (_state == MqttClientState.Stopped)
            {
                throw StoppedException();
            }

            if (_state != MqttClientState.NotStarted)
            {
                throw new InvalidOperationException("ConnectAsync has already been called on this MqttClient.");
            }

            _state = MqttClientState.Connecting;
        }

        MqttConnection? connection = null;
        try
        {
            connection = await EstablishAsync(ct).ConfigureAwait(false);
            await ActivateAsync(connection, ct).ConfigureAwait(false);
        }
        catch
        {
            if (connection is not null)
            {
                await CloseGracefullyAsync(connection).ConfigureAwait(false);
            }

            lock (_sync)
            {
                if (_state == MqttClientState.Connecting)
                {
                    _state = MqttClientState.NotStarted;
                }
            }

            throw;
        }

        bool stopped;
        lock (_sync)
        {
            stopped = _state == MqttClientState.Stopped;
            if (!stopped)
            {
                // Started under the lock so that DisconnectAsync always sees the tasks it has to wait for.
                _messageDispatcher = Task.Run(DispatchMessagesAsync, CancellationToken.None);
                _eventDispatcher = Task.Run(DispatchEventsAsync, CancellationToken.None);
                _supervisor = Task.Run(() => SuperviseAsync(connection), CancellationToken.None);
                _state = MqttClientState.Running;
            }
        }

        if (stopped)
        {
            // DisconnectAsync ran while we were connecting.
            await CloseGracefullyAsync(connection).ConfigureAwait(false);
            throw StoppedException();
        }
    }

    /// <summary>TCP connect + CONNECT/CONNACK within <see cref="MqttClientOptions.ConnectTimeout"/>.</summary>
    private async Task<MqttConnection> EstablishAsync(CancellationToken ct)
    {
        var options = _options;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopCts.Token);
        linked.CancelAfter(options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        MqttConnection? connection = null;
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, linked.Token).ConfigureAwait(false);
            var stream = await OpenStreamAsync(socket, options, linked.Token).ConfigureAwait(false);
            connection = new MqttConnection(Interlocked.Increment(ref _connectionCounter), socket, stream, options.MaxIncomingPacketSize);
            var connect = new ConnectPacket
            {
                ClientId = options.ClientId,
                CleanSession = options.CleanSession,
                KeepAliveSeconds = (ushort)Math.Ceiling(options.KeepAlive.TotalSeconds),
                Username = options.Username,
                Password = options.Password is null ? null : Encoding.UTF8.GetBytes(options.Password),
                Will = options.Will,
            };
            if (!await TryWritePacketAsync(connection, connect, linked.Token).ConfigureAwait(false))
            {
                throw new ConnectionLostException(await connection.Closed.ConfigureAwait(false));
            }

            var reply = await connection.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
            if (reply is not ConnAckPacket ack)
            {
                throw new IOException($"Expected CONNACK from the MQTT broker but received {reply.Type}.");
            }

            if (ack.ReturnCode != MqttConnectResult.Accepted)
            {
                throw new MqttConnectException(ack.ReturnCode);
            }

            connection.MarkReceived();
            MqttClientLog.Connected(_logger, options.Host, options.Port, options.ClientId, connection.Id, ack.SessionPresent);
            return connection;
        }
        catch (Exception ex)
        {
            if (connection is null)
            {
                socket.Dispose();
            }
            else
            {
                CloseConnection(connection, ex);
                connection.Reader.Dispose();
            }

            if (ex is OperationCanceledException && !ct.IsCancellationRequested && !_stopCts.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"Connecting to the MQTT broker at {options.Host}:{options.Port} timed out after {options.ConnectTimeout}.", ex);
            }

            if (ex is MqttProtocolException)
            {
                throw new IOException($"Invalid response from the MQTT broker: {ex.Message}", ex);
            }

            throw;
        }
    }

    /// <summary>
    /// The socket's stream, or a TLS stream over it whose handshake is done: nothing (not even the CONNECT with its password) is
    /// sent before the broker's certificate passed the caller's check. A refused certificate throws <see cref="AuthenticationException"/>.
    /// </summary>
    private static async Task<Stream> OpenStreamAsync(Socket socket, MqttClientOptions options, CancellationToken ct)
    {
        var network = new NetworkStream(socket, ownsSocket: false);
        if (options.Tls is not { } tls)
        {
            return network;
        }

        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = tls.TargetHost ?? options.Host,
                RemoteCertificateValidationCallback = tls.RemoteCertificateValidationCallback,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            }, ct).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts the connection's loops, restores subscriptions, re-sends pending QoS 1 messages, then publishes it as current.</summary>
    private async Task ActivateAsync(MqttConnection connection, CancellationToken ct)
    {
        connection.ReadLoop = Task.Run(() => ReadLoopAsync(connection), CancellationToken.None);
        connection.KeepAliveLoop = Task.Run(() => KeepAliveLoopAsync(connection), CancellationToken.None);

        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(_options.ConnectTimeout);
            try
            {
                await RestoreSubscriptionsAsync(connection, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"Restoring subscriptions timed out after {_options.ConnectTimeout}.");
            }
        }

        await ResendPendingAsync(connection, ct).ConfigureAwait(false);

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

            _current = connection;
            _connectedSignal.TrySetResult(connection);
        }

        _events.Writer.TryWrite(new LifecycleEvent(IsConnected: true, Error: null));
    }

    private async Task RestoreSubscriptionsAsync(MqttConnection connection, CancellationToken ct)
    {
        MqttTopicSubscription[] all;
        lock (_sync)
        {
            if (_subscriptions.Count == 0)
            {
                return;
            }

            all = _subscriptions.Select(s => new MqttTopicSubscription(s.Key, s.Value)).ToArray();
        }

        for (var offset = 0; offset < all.Length; offset += FiltersPerSubscribe)
        {
            var chunk = all.AsSpan(offset, Math.Min(FiltersPerSubscribe, all.Length - offset)).ToArray();
            var ack = (SubAckPacket)await ExchangeAsync(
                connection, MqttPacketType.SubAck, id => new SubscribePacket(id, chunk), ct).ConfigureAwait(false);
            for (var i = 0; i < chunk.Length; i++)
            {
                if (i >= ack.ReturnCodes.Count || ack.ReturnCodes[i] == SubAckPacket.Failure)
                {
                    MqttClientLog.ResubscribeRefused(_logger, chunk[i].Filter);
                }
            }
        }
    }

    private async Task ResendPendingAsync(MqttConnection connection, CancellationToken ct)
    {
        PendingPublish[] pending;
        lock (_sync)
        {
            if (_inflight.Count == 0)
            {
                return;
            }

            foreach (var abandoned in _inflight.Values.Where(p => p.Abandoned).ToList())
            {
                _inflight.Remove(abandoned.PacketId);
                _packetIds.Release(abandoned.PacketId);
            }

            pending = [.. _inflight.Values.OrderBy(p => p.Sequence)];
        }

        foreach (var entry in pending)
        {
            if (!await SendPublishAsync(connection, entry, ct).ConfigureAwait(false))
            {
                throw new ConnectionLostException(null);
            }
        }

        MqttClientLog.Resent(_logger, pending.Length);
    }

    /// <summary>Owns the connection after the first connect: waits for loss, reconnects, closes gracefully on stop.</summary>
    private async Task SuperviseAsync(MqttConnection first)
    {
        var stop = _stopCts.Token;
        var connection = first;
        var connectedAtStop = false;
        try
        {
            while (true)
            {
                Exception? error;
                try
                {
                    error = await connection.Closed.WaitAsync(stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    connectedAtStop = true;
                    await CloseGracefullyAsync(connection).ConfigureAwait(false);
                    break;
                }

                MqttClientLog.ConnectionLost(_logger, connection.Id, error?.Message ?? "closed");
                _events.Writer.TryWrite(new LifecycleEvent(IsConnected: false, error ?? new IOException("The MQTT connection was closed.")));

                // A connection that dropped soon after it was made keeps the back-off growing (e.g. a duplicate
                // client id taking over the session); one that lived long starts again at the minimum.
                var lifetime = TimeSpan.FromMilliseconds(Environment.TickCount64 - connection.OpenedTicks);
                _reconnectDelay = lifetime >= _options.ReconnectMaxDelay ? _options.ReconnectMinDelay : Grow(_reconnectDelay);

                var next = await ReconnectAsync(stop).ConfigureAwait(false);
                if (next is null)
                {
                    break;
                }

                connection = next;
            }
        }
        catch (Exception ex)
        {
            MqttClientLog.SupervisorFailed(_logger, ex);
        }
        finally
        {
            FinalizeStop(connectedAtStop);
        }
    }

    private async Task<MqttConnection?> ReconnectAsync(CancellationToken stop)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Task.Delay(Jitter(_reconnectDelay), stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            MqttConnection? connection = null;
            try
            {
                connection = await EstablishAsync(stop).ConfigureAwait(false);
                await ActivateAsync(connection, stop).ConfigureAwait(false);
                return connection;
            }
            catch (Exception) when (IsStopping)
            {
                if (connection is not null)
                {
                    await CloseGracefullyAsync(connection).ConfigureAwait(false);
                }

                return null;
            }
            catch (Exception ex)
            {
                if (connection is not null)
                {
                    CloseConnection(connection, ex);
                }

                _reconnectDelay = Grow(_reconnectDelay);
                MqttClientLog.ReconnectFailed(
                    _logger, ex, attempt, _options.Host, _options.Port, (long)_reconnectDelay.TotalMilliseconds);
            }
        }
    }

    private bool IsStopping
    {
        get
        {
            lock (_sync)
            {
                return _stopCts.IsCancellationRequested || _state == MqttClientState.Stopped;
            }
        }
    }

    private TimeSpan Grow(TimeSpan delay) =>
        TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxDelay.Ticks));

    /// <summary>±20 % jitter so that many devices do not reconnect in lock-step, kept within min..max.</summary>
    private TimeSpan Jitter(TimeSpan delay)
    {
        var ms = delay.TotalMilliseconds * (0.8 + (0.4 * Random.Shared.NextDouble()));
        return TimeSpan.FromMilliseconds(Math.Clamp(
            ms, _options.ReconnectMinDelay.TotalMilliseconds, _options.ReconnectMaxDelay.TotalMilliseconds));
    }

    /// <summary>Returns the current connection, waiting for a (re)connect while there is none.</summary>
    private async ValueTask<MqttConnection> WaitForConnectionAsync(CancellationToken ct)
    {
        while (true)
        {
            Task<MqttConnection> signal;
            lock (_sync)
            {
                if (_state == MqttClientState.Stopped)
                {
                    throw StoppedException();
                }

                if (_current is { IsClosed: false } current)
                {
                    return current;
                }

                signal = _connectedSignal.Task;
            }

            await signal.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Marks a connection closed (once), detaches it, fails its pending SUBSCRIBE/UNSUBSCRIBE and releases the socket.</summary>
    private void CloseConnection(MqttConnection connection, Exception? error, bool graceful = false)
    {
        List<PendingRequest>? orphaned = null;
        lock (_sync)
        {
            if (!connection.TryMarkClosed())
            {
                return;
            }

            if (_current == connection)
            {
                ClearCurrentLocked();
            }

            foreach (var request in _requests.Values)
            {
                if (request.Connection == connection)
                {
                    (orphaned ??= []).Add(request);
                }
            }
        }

        connection.Teardown(error, graceful);
        if (orphaned is not null)
        {
            foreach (var request in orphaned)
            {
                request.Completion.TrySetException(new ConnectionLostException(error));
            }
        }
    }

    private void ClearCurrentLocked()
    {
        _current = null;
        if (_connectedSignal.Task.IsCompleted)
        {
            _connectedSignal = NewSignal();
        }
    }

    /// <summary>DISCONNECT (so the broker drops the will), then close and wait for the connection's loops.</summary>
    private async Task CloseGracefullyAsync(MqttConnection connection)
    {
        lock (_sync)
        {
            if (_current == connection)
            {
                ClearCurrentLocked();
            }
        }

        using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
        try
        {
            await TryWritePacketAsync(connection, DisconnectPacket.Instance, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Writer lock not obtained in time; close anyway.
        }

        CloseConnection(connection, null, graceful: true);
        try
        {
            await Task.WhenAll(connection.ReadLoop, connection.KeepAliveLoop).WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Loops end on their own once the socket is gone.
        }
    }

    /// <summary>Final state: fails everything still waiting, raises the last Disconnected, completes the queues.</summary>
    private void FinalizeStop(bool raiseDisconnected)
    {
        List<PendingPublish> publishes;
        List<PendingRequest> requests;
        MqttConnection? current;
        lock (_sync)
        {
            _state = MqttClientState.Stopped;
            if (_finalized)
            {
                return;
            }

            _finalized = true;
            current = _current;
            ClearCurrentLocked();
            _connectedSignal.TrySetException(StoppedException());
            _ = _connectedSignal.Task.Exception; // observed: nobody may be waiting
            publishes = [.. _inflight.Values];
            requests = [.. _requests.Values];
            _inflight.Clear();
            _requests.Clear();
            _packetIds.Clear();
        }

        if (current is not null)
        {
            CloseConnection(current, null);
        }

        foreach (var publish in publishes)
        {
            publish.Completion.TrySetException(StoppedException());
            _ = publish.Completion.Task.Exception;
        }

        foreach (var request in requests)
        {
            request.Completion.TrySetException(StoppedException());
            _ = request.Completion.Task.Exception;
        }

        if (raiseDisconnected)
        {
            _events.Writer.TryWrite(new LifecycleEvent(IsConnected: false, Error: null));
            MqttClientLog.Disconnected(_logger, _options.Host, _options.Port);
        }

        _events.Writer.TryComplete();
        _incoming.Writer.TryComplete();
    }
}
