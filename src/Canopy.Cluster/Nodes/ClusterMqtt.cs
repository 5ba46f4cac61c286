using System.Threading.Channels;
using Canopy.Cluster.Broker;
using Canopy.Cluster.Net;
using Canopy.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Nodes;

/// <summary>
/// The cluster's own connection to its broker (user and client id <c>canopy-cluster</c>): receives what nodes publish into
/// <see cref="Incoming"/> and publishes the queued commands to nodes, in order. The client reconnects by itself.
/// </summary>
internal sealed partial class ClusterMqtt(
    BrokerService broker, BrokerUsers users, MosquittoProcess process, ClusterTraffic traffic, NodeLiveness liveness, NetChanges netChanges,
    NodeMessageRates rates, Tls.ClusterTls tls, ClusterOptions options, ILoggerFactory loggers)
    : BackgroundService
{
    public const string ClientId = "canopy-cluster";

    /// <summary>What the cluster listens to; control topics are the cluster's own and not among them.</summary>
    public static readonly IReadOnlyList<string> Subscriptions =
    [
        "nodes/+/information", "nodes/+/jobs/resources", "nodes/+/job", "nodes/+/status", "nodes/+/logs",
    ];

    private readonly ILogger _logger = loggers.CreateLogger<ClusterMqtt>();
    private readonly Channel<MqttMessage> _incoming = Channel.CreateUnbounded<MqttMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<OutgoingMessage> _outgoing = Channel.CreateUnbounded<OutgoingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MqttClient? _client;
    private int _connections;

    public ChannelReader<MqttMessage> Incoming => _incoming.Reader;

    /// <summary>Completes once the cluster is connected and subscribed to its nodes' topics.</summary>
    public Task Subscribed => _subscribed.Task;

    public bool IsConnected => _client?.IsConnected ?? false;

    public void Publish(string topic, byte[] payload, bool retain = false) =>
        _outgoing.Writer.TryWrite(new OutgoingMessage(topic, payload, retain));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_client is { } client)
        {
            try
            {
                await client.DisconnectAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.PublishFailed(_logger, e, "(disconnect)");
            }

            await client.DisposeAsync();
        }

        _subscribed.TrySetCanceled(CancellationToken.None);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await broker.Ready.WaitAsync(stoppingToken);
        var user = await users.GetClusterUserAsync(stoppingToken);
        var client = new MqttClient(
            new MqttClientOptions
            {
                Host = process.ConnectHost,
                Port = options.Mqtt.Port,
                ClientId = ClientId,

                // An external broker knows nothing of our generated account: connect as it is configured for (anonymous).
                Username = options.Mqtt.StartBroker ? user.Username : null,
                Password = options.Mqtt.StartBroker ? user.Password : null,
                CleanSession = true,
                KeepAlive = TimeSpan.FromSeconds(5),
                ReconnectMinDelay = TimeSpan.FromMilliseconds(200),
                ReconnectMaxDelay = TimeSpan.FromSeconds(5),
                Tls = tls.BrokerClientTls(options.Mqtt),
            },
            loggers.CreateLogger<MqttClient>());
        client.MessageReceived += message =>
        {
            liveness.Received(message.Topic);
            traffic.MqttReceived(message.Topic, message.Payload.Length);
            if (rates.Admit(message.Topic))
            {
                _incoming.Writer.TryWrite(message);
            }

            return Task.CompletedTask;
        };
        client.Connected += () =>
        {
            Log.Connected(_logger, process.ConnectHost, options.Mqtt.Port);
            if (Interlocked.Increment(ref _connections) > 1)
            {
                // The broker may have restarted (it keeps no retained messages across restarts).
                netChanges.BrokerReconnected();
            }

            return Task.CompletedTask;
        };
        client.Disconnected += error =>
        {
            // null = our own DisconnectAsync at shutdown: nothing to warn about.
            if (error is not null)
            {
                Log.Disconnected(_logger, error);
            }

            return Task.CompletedTask;
        };
        _client = client;

        await ConnectAsync(client, stoppingToken);
        foreach (var filter in Subscriptions)
        {
            await client.SubscribeAsync(filter, MqttQos.AtLeastOnce, stoppingToken);
        }

        _subscribed.TrySetResult();
        await PumpOutgoingAsync(client, stoppingToken);
    }

    private async Task ConnectAsync(MqttClient client, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await client.ConnectAsync(ct);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                Log.ConnectFailed(_logger, e, process.ConnectHost, options.Mqtt.Port, delay.TotalSeconds);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    /// <summary>One at a time keeps each node's commands in order; QoS 1 is re-sent by the client across reconnects.</summary>
    private async Task PumpOutgoingAsync(MqttClient client, CancellationToken ct)
    {
        await foreach (var message in _outgoing.Reader.ReadAllAsync(ct))
        {
            try
            {
                await client.PublishAsync(message.Topic, message.Payload, MqttQos.AtLeastOnce, message.Retain, ct);
                traffic.MqttSent(message.Topic, message.Payload.Length);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Lost commands heal: the node's next inventory report makes the cluster send them again.
                Log.PublishFailed(_logger, e, message.Topic);
            }
        }
    }

    private sealed record OutgoingMessage(string Topic, byte[] Payload, bool Retain);

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.MqttConnected, Level = LogLevel.Information, Message = "Cluster connected to its MQTT broker at {Host}:{Port}")]
        public static partial void Connected(ILogger logger, string host, int port);

        [LoggerMessage(EventId = EventIds.MqttDisconnected, Level = LogLevel.Warning, Message = "Cluster lost its MQTT broker connection; reconnecting")]
        public static partial void Disconnected(ILogger logger, Exception? error);

        [LoggerMessage(EventId = EventIds.MqttConnectFailed, Level = LogLevel.Warning, Message = "Cannot connect to the MQTT broker at {Host}:{Port}; retrying in {Seconds} s")]
        public static partial void ConnectFailed(ILogger logger, Exception error, string host, int port, double seconds);

        [LoggerMessage(EventId = EventIds.MqttPublishFailed, Level = LogLevel.Warning, Message = "Publishing to {Topic} failed")]
        public static partial void PublishFailed(ILogger logger, Exception error, string topic);
    }
}
