using System.Buffers;
using System.Text;
using System.Threading.Channels;
using Canopy.Mqtt.Packets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.Mqtt;

/// <summary>
/// MQTT 3.1.1 client (QoS 0/1, plain TCP) that keeps itself connected after the first successful
/// <see cref="ConnectAsync"/>: on connection loss it reconnects with exponential back-off, restores its
/// subscriptions and re-sends unacknowledged QoS 1 messages (DUP=1).
/// </summary>
/// <remarks>
/// Handlers run on background tasks: <see cref="MessageReceived"/> sequentially in arrival order (a QoS 1 message
/// is acknowledged after its handlers returned), <see cref="Connected"/>/<see cref="Disconnected"/> sequentially on
/// another task. Handler exceptions are logged, never thrown. Handlers may call any method of the client.
/// </remarks>
public sealed partial class MqttClient : IAsyncDisposable
{
    /// <summary>Received messages waiting for the handler; when full, reading from the socket pauses (back-pressure).</summary>
    private const int IncomingQueueCapacity = 256;

    /// <summary>Larger PUBLISH payloads are written straight from the caller's memory instead of being copied.</summary>
    private const int DirectPayloadThreshold = 4096;

    private const int FiltersPerSubscribe = 64;

    private readonly MqttClientOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _writeBuffer = new(256);
    private readonly PacketIdAllocator _packetIds = new();
    private readonly Dictionary<ushort, PendingPublish> _inflight = [];
    private readonly Dictionary<ushort, PendingRequest> _requests = [];
    private readonly Dictionary<string, MqttQos> _subscriptions = new(StringComparer.Ordinal);
    private readonly Channel<IncomingPublish> _incoming = Channel.CreateBounded<IncomingPublish>(
        new BoundedChannelOptions(IncomingQueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Channel<LifecycleEvent> _events = Channel.CreateUnbounded<LifecycleEvent>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopCts = new();
    private readonly AsyncLocal<bool> _inHandler = new();

    private MqttClientState _state;
    private MqttConnection? _current;
    private TaskCompletionSource<MqttConnection> _connectedSignal = NewSignal();
    private Task _supervisor = Task.CompletedTask;
    private Task _messageDispatcher = Task.CompletedTask;
    private Task _eventDispatcher = Task.CompletedTask;
    private long _publishSequence;
    private int _connectionCounter;
    private TimeSpan _reconnectDelay;
    private bool _finalized;

    public MqttClient(MqttClientOptions options, ILogger<MqttClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _reconnectDelay = options.ReconnectMinDelay;
    }

    /// <summary>Raised for every received message, sequentially and in order of arrival.</summary>
    public event Func<MqttMessage, Task>? MessageReceived;

    /// <summary>Raised after every successful (re)connect, after subscriptions were restored.</summary>
    public event Func<Task>? Connected;

    /// <summary>Raised when the connection is lost (with the cause) or closed by <see cref="DisconnectAsync"/> (null).</summary>
    public event Func<Exception?, Task>? Disconnected;

    /// <summary>True while a connection is established and ready (subscriptions restored).</summary>
    public bool IsConnected
    {
        get
        {
            lock (_sync)
            {
                return _current is { IsClosed: false };
            }
        }
    }

    /// <summary>Number of topic filters remembered for re-subscription.</summary>
    internal int SubscriptionCount
    {
        get
        {
            lock (_sync)
            {
                return _subscriptions.Count;
            }
        }
    }

    /// <summary>
    /// Subscribes and remembers the filter so it is restored after reconnects. Waits for a connection while
    /// disconnected. Throws <see cref="MqttSubscribeException"/> when the broker refuses (SUBACK 0x80).
    /// </summary>
    public async Task SubscribeAsync(string topicFilter, MqttQos qos, CancellationToken ct)
    {
        if (!MqttTopic.IsValidFilter(topicFilter))
        {
            throw new ArgumentException($"Invalid MQTT topic filter '{topicFilter}'.", nameof(topicFilter));
        }

        ThrowIfUnsupported(qos);
        EnsureRunning();
        MqttTopicSubscription[] request = [new(topicFilter, qos)];
        while (true)
        {
            var connection = await WaitForConnectionAsync(ct).ConfigureAwait(false);
            SubAckPacket ack;
            try
            {
                ack = (SubAckPacket)await ExchangeAsync(
                    connection, MqttPacketType.SubAck, id => new SubscribePacket(id, request), ct).ConfigureAwait(false);
            }
            catch (ConnectionLostException)
            {
                continue;
            }

            if (ack.ReturnCodes[0] == SubAckPacket.Failure)
            {
                lock (_sync)
                {
                    _subscriptions.Remove(topicFilter);
                }

                throw new MqttSubscribeException(topicFilter);
            }

            bool lost;
            lock (_sync)
            {
                _subscriptions[topicFilter] = qos;
                lost = connection.IsClosed;
            }

            if (!lost)
            {
                return;
            }

            // The connection died right after the SUBACK; a reconnect may have snapshotted the filters before we
            // recorded this one, so subscribe again on the next connection.
        }
    }

    /// <summary>Unsubscribes and forgets the filter. Waits for a connection while disconnected.</summary>
    public async Task UnsubscribeAsync(string topicFilter, CancellationToken ct)
    {
        if (!MqttTopic.IsValidFilter(topicFilter))
        {
            throw new ArgumentException($"Invalid MQTT topic filter '{topicFilter}'.", nameof(topicFilter));
        }

        EnsureRunning();
        lock (_sync)
        {
            _subscriptions.Remove(topicFilter);
        }

        string[] filters = [topicFilter];
        while (true)
        {
            var connection = await WaitForConnectionAsync(ct).ConfigureAwait(false);
            try
            {
                await ExchangeAsync(connection, MqttPacketType.UnsubAck, id => new UnsubscribePacket(id, filters), ct)
                    .ConfigureAwait(false);
                return;
            }
            catch (ConnectionLostException)
            {
                // Retry on the next connection (a persistent session would still hold the subscription).
            }
        }
    }

    /// <inheritdoc cref="PublishAsync(string, ReadOnlyMemory{byte}, MqttQos, bool, CancellationToken)"/>
    public Task PublishAsync(
        string topic, string payload, MqttQos qos = MqttQos.AtLeastOnce, bool retain = false, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return PublishAsync(topic, Encoding.UTF8.GetBytes(payload), qos, retain, ct);
    }

    /// <summary>
    /// Publishes a message. QoS 1 completes when the broker's PUBACK arrives; while disconnected it waits for the
    /// reconnection (until <paramref name="ct"/>) and unacknowledged messages are re-sent with DUP=1 after a
    /// reconnect. QoS 0 completes once written; while disconnected QoS 0 messages are dropped.
    /// The payload memory is referenced, not copied: do not modify it before the task completes.
    /// </summary>
    public async Task PublishAsync(
        string topic, ReadOnlyMemory<byte> payload, MqttQos qos = MqttQos.AtLeastOnce, bool retain = false, CancellationToken ct = default)
    {
        if (!MqttTopic.IsValidTopicName(topic))
        {
            throw new ArgumentException($"Invalid MQTT topic name '{topic}'.", nameof(topic));
        }

        ThrowIfUnsupported(qos);
        ct.ThrowIfCancellationRequested();
        EnsureRunning();
        if (qos == MqttQos.AtMostOnce)
        {
            var packet = new PublishPacket(topic, payload, qos, retain);
            packet.GetBodyLength(); // validates the size before anything is written
            await PublishAtMostOnceAsync(packet, ct).ConfigureAwait(false);
            return;
        }

        var entry = RegisterPublish(topic, payload, retain);
        try
        {
            var connection = await WaitForConnectionAsync(ct).ConfigureAwait(false);
            await SendPublishAsync(connection, entry, ct).ConfigureAwait(false);
            await entry.Completion.Task.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            AbandonPublish(entry);
            throw;
        }
    }

    /// <summary>Sends DISCONNECT (the broker discards the will), closes the connection and stops reconnecting.</summary>
    public async Task DisconnectAsync(CancellationToken ct)
    {
        MqttClientState previous;
        lock (_sync)
        {
            previous = _state;
            _state = MqttClientState.Stopped;
        }

        await _stopCts.CancelAsync().ConfigureAwait(false);
        if (previous is MqttClientState.NotStarted or MqttClientState.Connecting)
        {
            FinalizeStop(raiseDisconnected: false);
            return;
        }

        Task supervisor, dispatchers;
        lock (_sync)
        {
            supervisor = _supervisor;
            dispatchers = Task.WhenAll(_messageDispatcher, _eventDispatcher);
        }

        await supervisor.WaitAsync(ct).ConfigureAwait(false);
        if (!_inHandler.Value)
        {
            // Skipped when called from a handler: the dispatcher would be waiting for itself.
            await dispatchers.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Ends the client without DISCONNECT, as a crash or a cut cable would: the broker publishes the will once it notices. Used to
    /// simulate failures (the node simulator); a client that stops on purpose uses <see cref="DisconnectAsync"/>.
    /// </summary>
    public async Task AbortAsync()
    {
        AbortConnectionForTesting();
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout + TimeSpan.FromSeconds(1));
        try
        {
            await DisconnectAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Background tasks finish on their own once their connection is gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout + TimeSpan.FromSeconds(1));
        try
        {
            await DisconnectAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Background tasks finish on their own once their connection is gone.
        }

        // _stopCts and _writeLock hold no OS handles; they are not disposed so late background continuations
        // cannot trip over disposed objects.
    }

    /// <summary>Test hook: resets the TCP connection without DISCONNECT, as if the process had crashed.</summary>
    internal void AbortConnectionForTesting()
    {
        MqttConnection? connection;
        lock (_sync)
        {
            connection = _current;
        }

        if (connection is null)
        {
            return;
        }

        connection.Abort();
        CloseConnection(connection, new IOException("Connection aborted by test hook."));
    }

    private static void ThrowIfUnsupported(MqttQos qos)
    {
        if (!Enum.IsDefined(qos))
        {
            throw new ArgumentOutOfRangeException(nameof(qos), qos, "Only QoS 0 and QoS 1 are supported.");
        }
    }

    private static TaskCompletionSource<MqttConnection> NewSignal() =>
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static ObjectDisposedException StoppedException() =>
        new(nameof(MqttClient), "The MQTT client has been disconnected or disposed.");

    private void EnsureRunning()
    {
        lock (_sync)
        {
            EnsureRunningLocked();
        }
    }

    private void EnsureRunningLocked()
    {
        switch (_state)
        {
            case MqttClientState.Running:
                return;
            case MqttClientState.Stopped:
                throw StoppedException();
            default:
                throw new InvalidOperationException("The MQTT client is not connected yet: await ConnectAsync first.");
        }
    }
}
