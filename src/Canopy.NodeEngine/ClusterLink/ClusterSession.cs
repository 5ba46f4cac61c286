using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Contracts.Registration;
using Canopy.Mqtt;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.NetManager;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.ClusterLink;

internal enum SessionEnd
{
    /// <summary>The node engine is stopping.</summary>
    Stopped,

    /// <summary>The credentials no longer work, the broker stayed unreachable, or the cluster forgot the node: register again.</summary>
    Reregister,
}

/// <summary>
/// The node's MQTT life with one set of credentials: status online (retained; the last will says offline),
/// the control topics, its net table (retained, for the net manager), <c>information</c> and <c>jobs/resources</c> when they change
/// materially or their refresh interval passes (<see cref="ReportChanges"/>), and each status change on <c>job</c>. Liveness is the
/// MQTT keep-alive: the broker drops a silent node after 1.5 × <see cref="NodeEngineOptions.KeepAlive"/> and publishes the will.
/// </summary>
internal sealed class ClusterSession
{
    private readonly NodeEngineOptions _options;
    private readonly NodeRegisterResponse _registration;
    private readonly NodeInstances _instances;
    private readonly NodeFacts _facts;
    private readonly ResourceMonitor _monitor;
    private readonly NodeReadiness _readiness;
    private readonly NodeNetManager _net;
    private readonly ClusterTrust _trust;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly string _nodeId;
    private readonly string _host;
    private readonly TaskCompletionSource _online = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MqttClient? _client;
    private CancellationTokenSource? _session;
    private readonly ReportChanges _reports;
    private readonly Task _overlayIdentity;
    private CancellationToken _stopping;

    /// <param name="overlayIdentity">The overlay taking the node's address and encryption after registration: "online" and the
    /// first information (which carries the overlay) wait for it, the connection to the broker does not.</param>
    public ClusterSession(
        NodeEngineOptions options, NodeRegisterResponse registration, NodeInstances instances, NodeFacts facts,
        ResourceMonitor monitor, NodeReadiness readiness, NodeNetManager net, ClusterTrust trust, ILoggerFactory loggers,
        Task? overlayIdentity = null)
    {
        _overlayIdentity = overlayIdentity ?? Task.CompletedTask;
        _net = net;
        _trust = trust;
        _options = options;
        _registration = registration;
        _instances = instances;
        _facts = facts;
        _monitor = monitor;
        _readiness = readiness;
        _loggers = loggers;
        _log = loggers.CreateLogger<ClusterSession>();
        _nodeId = registration.Id;
        _reports = new ReportChanges(options.InformationRefreshInterval, options.InventoryRefreshInterval);
        _host = registration.Mqtt.Host is { Length: > 0 } host && host is not ("0.0.0.0" or "::" or "[::]")
            ? host
            : new Uri(options.ClusterUrls()[0]).Host;
    }

    /// <summary>How long the broker may stay unreachable before the node registers again (the cluster may have new credentials for it).</summary>
    internal TimeSpan ReregisterAfter { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Set before stopping: end with the connection cut (no offline, no DISCONNECT), so the broker publishes the will (the simulator's kill).</summary>
    internal bool CutOnStop { get; set; }

    public async Task<SessionEnd> RunAsync(CancellationToken stopping)
    {
        _stopping = stopping;
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _session = session;
        var client = new MqttClient(BuildClientOptions(), _loggers.CreateLogger<MqttClient>());
        _client = client;
        client.MessageReceived += OnMessageAsync;
        client.Connected += OnConnectedAsync;
        client.Disconnected += OnDisconnectedAsync;
        var forwarding = Task.CompletedTask;
        try
        {
            if (!await ConnectAsync(client, session.Token).ConfigureAwait(false))
            {
                return stopping.IsCancellationRequested ? SessionEnd.Stopped : SessionEnd.Reregister;
            }

            await client.SubscribeAsync($"nodes/{_nodeId}/control/#", MqttQos.AtLeastOnce, session.Token).ConfigureAwait(false);

            // Retained: the broker hands over the node's current table at every (re)connect, so nothing depends on a missed update.
            await client.SubscribeAsync(NodeTopics.NetTable(_nodeId), MqttQos.AtLeastOnce, session.Token).ConfigureAwait(false);

            // Its failure ends the session as it did when it ran before it (the worker registers again after a pause).
            await _overlayIdentity.WaitAsync(session.Token).ConfigureAwait(false);
            try
            {
                await _online.Task.WaitAsync(ReregisterAfter, session.Token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Connected, but "online" could not be published all this time: start over.
                LinkLog.ReregisterAfterOutage(_log, ReregisterAfter);
                return stopping.IsCancellationRequested ? SessionEnd.Stopped : SessionEnd.Reregister;
            }

            LinkLog.Connected(_log, _host, _registration.Mqtt.Port, $"{_nodeId}-ne");
            _readiness.SetConnected();
            forwarding = ForwardChangesAsync(client, session.Token);
            await ReportAsync(client, session.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (session.IsCancellationRequested)
        {
            // Stopping, or a re-registration was asked for.
        }
        finally
        {
            await session.CancelAsync().ConfigureAwait(false);
            await QuietlyAsync(forwarding).ConfigureAwait(false);
            if (stopping.IsCancellationRequested && CutOnStop)
            {
                await client.AbortAsync().ConfigureAwait(false);
            }
            else if (stopping.IsCancellationRequested)
            {
                await GoOfflineAsync(client).ConfigureAwait(false);
            }

            await client.DisposeAsync().ConfigureAwait(false);
        }

        return stopping.IsCancellationRequested ? SessionEnd.Stopped : SessionEnd.Reregister;
    }

    private MqttClientOptions BuildClientOptions() => new()
    {
        Host = _host,
        Port = _registration.Mqtt.Port,
        ClientId = $"{_nodeId}-ne",
        Username = _registration.Mqtt.Username,
        Password = _registration.Mqtt.Password,
        CleanSession = true,
        KeepAlive = _options.KeepAlive,
        Will = new MqttWill(
            NodeTopics.Status(_nodeId),
            NodeJson.SerializeToUtf8(new NodeStatus(NodeStatus.Offline, DateTimeOffset.UtcNow)),
            MqttQos.AtLeastOnce,
            Retain: true),
        ReconnectMinDelay = TimeSpan.FromMilliseconds(250),
        ReconnectMaxDelay = TimeSpan.FromSeconds(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        Tls = _trust.Mqtt(_registration.Mqtt.Tls),
    };

    /// <summary>First connection; false when the broker refuses the credentials or stays unreachable (then: register again).</summary>
    private async Task<bool> ConnectAsync(MqttClient client, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                await client.ConnectAsync(ct).ConfigureAwait(false);
                return true;
            }
            catch (MqttConnectException e) when (e.Result is MqttConnectResult.BadUsernameOrPassword or
                                                     MqttConnectResult.NotAuthorized or MqttConnectResult.IdentifierRejected)
            {
                LinkLog.CredentialsRefused(_log, e.Result.ToString());
                return false;
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException or MqttConnectException or AuthenticationException)
            {
                if (_trust.Refusal(e) is { } refusal)
                {
                    LinkLog.BrokerCertificateRefused(_log, _host, _registration.Mqtt.Port, refusal);
                }

                if (Stopwatch.GetElapsedTime(started) >= ReregisterAfter)
                {
                    LinkLog.ReregisterAfterOutage(_log, ReregisterAfter);
                    return false;
                }

                LinkLog.BrokerUnreachable(_log, _host, _registration.Mqtt.Port, e.Message, delay);
                await Task.Delay(delay, ct).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    /// <summary>
    /// Every <see cref="NodeEngineOptions.InformationInterval"/>: resources and the inventory with metrics are sampled and sent
    /// when due (QoS 0: a lost one is healed by the next change or refresh). A broker gone for too long ends the session.
    /// </summary>
    private async Task ReportAsync(MqttClient client, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.InformationInterval);
        long? downSince = null;
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            if (!client.IsConnected)
            {
                downSince ??= Stopwatch.GetTimestamp();
                if (Stopwatch.GetElapsedTime(downSince.Value) >= ReregisterAfter)
                {
                    LinkLog.ReregisterAfterOutage(_log, ReregisterAfter);
                    return;
                }

                continue;
            }

            downSince = null;
            await PublishInformationAsync(client, MqttQos.AtMostOnce, ct, onlyIfDue: true).ConfigureAwait(false);
            await PublishInventoryAsync(client, MqttQos.AtMostOnce, ct, onlyIfDue: true).ConfigureAwait(false);
        }
    }

    /// <summary>How many status changes may wait for the broker's PUBACK at once.</summary>
    private const int StatusWindow = 16;

    /// <summary>
    /// Each status change at once, QoS 1; while disconnected they wait (bounded) for the connection. A change is written without
    /// waiting for the PUBACK of the one before (the client writes in call order, and the broker keeps a publisher's order): RUNNING,
    /// which follows CREATING within milliseconds, must not wait a round trip behind it.
    /// </summary>
    private async Task ForwardChangesAsync(MqttClient client, CancellationToken ct)
    {
        var topic = NodeTopics.Job(_nodeId);
        var unacknowledged = new Queue<Task>();
        await foreach (var report in _instances.Changes.ReadAllAsync(ct).ConfigureAwait(false))
        {
            unacknowledged.Enqueue(PublishAsync(client, topic, NodeJson.SerializeToUtf8(WithNode(report)), MqttQos.AtLeastOnce, false, ct));
            while (unacknowledged.TryPeek(out var oldest) && (oldest.IsCompleted || unacknowledged.Count >= StatusWindow))
            {
                await unacknowledged.Dequeue().ConfigureAwait(false);
            }
        }
    }

    /// <param name="onlyIfDue">The periodic sample: sent only on a material change or when the refresh interval passed.</param>
    private async Task PublishInformationAsync(MqttClient client, MqttQos qos, CancellationToken ct, bool onlyIfDue = false)
    {
        var information = BuildInformation();
        if (onlyIfDue && !_reports.InformationDue(information, information.Timestamp))
        {
            return;
        }

        _reports.InformationSent(information, information.Timestamp);
        await PublishAsync(client, NodeTopics.Information(_nodeId), NodeJson.SerializeToUtf8(information), qos, false, ct).ConfigureAwait(false);
    }

    /// <param name="onlyIfDue">The periodic sample: sent only on a material change or when the refresh interval passed.</param>
    private async Task PublishInventoryAsync(MqttClient client, MqttQos qos, CancellationToken ct, bool onlyIfDue = false)
    {
        var reports = await _instances.InventoryAsync(ct).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        if (onlyIfDue && !_reports.InventoryDue(reports, now))
        {
            return;
        }

        _reports.InventorySent(reports, now);
        var payload = new JobsResources(reports.Select(WithNode).ToList());
        await PublishAsync(client, NodeTopics.JobsResources(_nodeId), NodeJson.SerializeToUtf8(payload), qos, false, ct).ConfigureAwait(false);
    }

    private NodeInformation BuildInformation()
    {
        var resources = _monitor.Sample();
        return new NodeInformation
        {
            CpuPercent = resources.CpuPercent,
            Vcpus = resources.Vcpus,
            Memory = resources.MemoryAvailableMb,
            MemoryTotal = resources.MemoryTotalMb,
            MemoryPercent = resources.MemoryPercent,
            Architecture = _facts.Architecture,
            // Read each time: the container runtime becomes available after registration (it needs the subnet it assigns).
            Virtualization = _instances.Virtualizations,
            UnavailableRuntimes = _instances.UnavailableRuntimes,
            PrivilegedRuntimes = _options.PrivilegedRuntimes(_instances.Virtualizations),
            Ip = _facts.Ip,
            Overlay = _net.Overlay,
            Latency = _net.Latency,
            Timestamp = DateTimeOffset.UtcNow,
            Extra = _facts.Extras,
        };
    }

    private InstanceReport WithNode(InstanceReport report) =>
        report with { NodeId = _nodeId, NodeName = _facts.Name, HostIp = report.HostIp ?? _facts.Ip };

    /// <summary>
    /// After every (re)connect: online (retained), the resources (the cluster counts a node active from its first
    /// information, so new instances need not wait for the next tick) and the full inventory, so the cluster reconciles at once.
    /// </summary>
    private async Task OnConnectedAsync()
    {
        var client = _client!;
        var ct = _session?.Token ?? CancellationToken.None;
        try
        {
            // A failure of it is the session's to act on (RunAsync awaits it too); online then never comes.
            await _overlayIdentity.WaitAsync(ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await client.PublishAsync(NodeTopics.Status(_nodeId), NodeJson.SerializeToUtf8(new NodeStatus(NodeStatus.Online, DateTimeOffset.UtcNow)),
                MqttQos.AtLeastOnce, retain: true, ct).ConfigureAwait(false);
            await PublishInformationAsync(client, MqttQos.AtLeastOnce, ct).ConfigureAwait(false);
            _online.TrySetResult();
            await PublishInventoryAsync(client, MqttQos.AtLeastOnce, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LinkLog.PublishFailed(_log, e, NodeTopics.Status(_nodeId));
        }
    }

    private Task OnDisconnectedAsync(Exception? error)
    {
        if (error is not null)
        {
            LinkLog.Disconnected(_log, error.Message);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs on the client's receive path: commands are only queued here (their order per instance is kept by
    /// <see cref="NodeInstances"/>), so a slow stop does not hold up the next message.
    /// </summary>
    private Task OnMessageAsync(MqttMessage message)
    {
        if (!NodeTopics.TryParse(message.Topic, out var nodeId, out var rest) || nodeId != _nodeId)
        {
            return Task.CompletedTask;
        }

        try
        {
            switch (rest)
            {
                case "control/deploy":
                    var deploy = NodeJson.Deserialize<DeployCommand>(message.Payload.Span);
                    if (deploy?.Service is null)
                    {
                        throw new JsonException("no service");
                    }

                    Observe(_instances.DeployAsync(deploy, _stopping), message.Topic);
                    break;
                case "control/delete":
                    var delete = NodeJson.Deserialize<DeleteCommand>(message.Payload.Span) ?? throw new JsonException("empty");
                    Observe(_instances.DeleteAsync(delete, _stopping), message.Topic);
                    break;
                case "control/logs":
                    var request = NodeJson.Deserialize<LogsRequest>(message.Payload.Span) ?? throw new JsonException("empty");
                    Observe(AnswerLogsAsync(request), message.Topic);
                    break;
                case "net/table":
                    _net.Receive(message.Payload.Span);
                    break;
                case "control/error":
                    var error = NodeJson.Deserialize<ControlError>(message.Payload.Span);
                    LinkLog.ControlError(_log, error?.Message ?? message.PayloadText);
                    if (error?.Message?.Contains("not registered", StringComparison.OrdinalIgnoreCase) == true)
                    {
                        RequestReregistration();
                    }

                    break;
            }
        }
        catch (JsonException e)
        {
            LinkLog.Malformed(_log, e, message.Topic);
        }

        return Task.CompletedTask;
    }

    /// <summary>Ends this session; the worker then registers again.</summary>
    private void RequestReregistration()
    {
        try
        {
            _session?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session already ended.
        }
    }

    private async Task AnswerLogsAsync(LogsRequest request)
    {
        var result = await _instances.ReadLogsAsync(request, _stopping).ConfigureAwait(false);
        await _client!.PublishAsync(NodeTopics.Logs(_nodeId), NodeJson.SerializeToUtf8(result), MqttQos.AtLeastOnce, false, _stopping)
            .ConfigureAwait(false);
    }

    private void Observe(Task task, string topic) =>
        _ = task.ContinueWith(
            t => LinkLog.HandlerFailed(_log, t.Exception!.GetBaseException(), topic),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private async Task PublishAsync(MqttClient client, string topic, byte[] payload, MqttQos qos, bool retain, CancellationToken ct)
    {
        try
        {
            await client.PublishAsync(topic, payload, qos, retain, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LinkLog.PublishFailed(_log, e, topic);
        }
    }

    /// <summary>Clean stop: offline (retained, so late subscribers see it too), then DISCONNECT (the broker drops the will).</summary>
    private async Task GoOfflineAsync(MqttClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            if (client.IsConnected)
            {
                await client.PublishAsync(NodeTopics.Status(_nodeId), NodeJson.SerializeToUtf8(new NodeStatus(NodeStatus.Offline, DateTimeOffset.UtcNow)),
                    MqttQos.AtLeastOnce, retain: true, timeout.Token).ConfigureAwait(false);
            }

            await client.DisconnectAsync(timeout.Token).ConfigureAwait(false);
            LinkLog.Disconnecting(_log);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or InvalidOperationException)
        {
            LinkLog.PublishFailed(_log, e, NodeTopics.Status(_nodeId));
        }
    }

    private static async Task QuietlyAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ended on purpose.
        }
    }
}
