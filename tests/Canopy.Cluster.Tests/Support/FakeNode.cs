using System.Collections.Concurrent;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Contracts.Net;
using Canopy.Contracts.Registration;
using Canopy.Core.States;
using Canopy.Mqtt;

namespace Canopy.Cluster.Tests.Support;

/// <summary>
/// A worker as the cluster sees it, without running anything: registers over HTTP, connects with its own broker account and a
/// last will, publishes <c>information</c> and its inventory (<c>jobs/resources</c>) periodically, and answers control messages
/// (deploy/delete/logs) the way a node engine does. Optionally connects through a <see cref="TcpCable"/> the test can cut.
/// </summary>
internal sealed class FakeNode : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string, int), InstanceReport> _inventory = new();
    private readonly ConcurrentDictionary<(string, int), string> _addresses = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly FakeNodeOptions _options;
    private Task _heartbeat = Task.CompletedTask;

    private FakeNode(string host, NodeRegisterResponse registration, MqttClient client, TcpCable? cable, FakeNodeOptions options)
    {
        Host = host;
        Registration = registration;
        Client = client;
        Cable = cable;
        _options = options;
        foreach (var report in options.Running)
        {
            _inventory[(report.ServiceId, report.InstanceNumber)] = report with { NodeId = registration.Id };
        }
    }

    public string Host { get; }
    public string Id => Registration.Id;
    public NodeRegisterResponse Registration { get; }
    public MqttClient Client { get; }
    public TcpCable? Cable { get; }

    /// <summary>Every control message received: (topic suffix after <c>control/</c>, payload text).</summary>
    public RecordedList<(string Kind, string Payload)> Commands { get; } = new();

    public IReadOnlyCollection<InstanceReport> Inventory => _inventory.Values.ToList();

    /// <summary>Every message on its retained <c>net/table</c> topic, in order; null for an empty (clearing) message.</summary>
    public RecordedList<NodeNetTable?> NetTables { get; } = new();

    /// <summary>The last net table received; null before any or after a clearing message.</summary>
    public NodeNetTable? NetTable => NetTables.Snapshot() is { Count: > 0 } tables ? tables[^1] : null;

    /// <summary>Waits until the last table received satisfies <paramref name="predicate"/>.</summary>
    public Task<NodeNetTable?> WaitForNetTableAsync(Func<NodeNetTable?, bool> predicate, string what) =>
        NetTables.WaitForAsync(t => ReferenceEquals(t, NetTable) && predicate(t), $"node {Host}: {what}");

    /// <summary>The secret a fake node of this host name registers with (as a real one keeps it in node.json).</summary>
    public static string SecretOf(string host) => $"secret-of-node-{host}-0123456789abcdef";

    public static NodeRegisterRequest Describe(
        string host, FakeNodeOptions options, string token = TestCluster.NodeToken, string? id = null, string? secret = null) => new()
        {
            JoinToken = token,
            Id = id,
            Secret = secret ?? SecretOf(host),
            Host = host,
            Ip = options.Ip,
            Vcpus = options.Vcpus,
            MemoryTotal = options.MemoryTotal,
            Architecture = options.Architecture,
            Virtualization = options.Virtualization,
            Overlay = options.Overlay,
        };

    /// <summary>A registration of <paramref name="host"/> as <see cref="Describe"/> makes it, saying <paramref name="inUse"/> is routed on its machine.</summary>
    public static Task<HttpResponseMessage> PostRegistrationAsync(
        TestCluster cluster, string host, string? id = null, IReadOnlyList<string>? inUse = null) =>
        cluster.Http.PostAsJsonAsync(
            "/api/node/register", Describe(host, new FakeNodeOptions(), id: id) with { SubnetsInUse = inUse }, CanopyJson.Options);

    /// <summary><see cref="PostRegistrationAsync"/>, which must succeed.</summary>
    public static async Task<NodeRegisterResponse> RegisterAsync(
        TestCluster cluster, string host, string? id = null, IReadOnlyList<string>? inUse = null)
    {
        using var response = await PostRegistrationAsync(cluster, host, id, inUse);
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<NodeRegisterResponse>(CanopyJson.Options))!;
    }

    public static async Task<FakeNode> StartAsync(TestCluster cluster, string host, FakeNodeOptions? options = null)
    {
        options ??= new FakeNodeOptions();
        using var response = await cluster.Http.PostAsJsonAsync("/api/node/register", Describe(host, options), CanopyJson.Options);
        response.EnsureSuccessStatusCode();
        var registration = (await response.Content.ReadFromJsonAsync<NodeRegisterResponse>(CanopyJson.Options))!;
        var cable = options.ThroughCable ? new TcpCable(registration.Mqtt.Port) : null;
        var client = new MqttClient(new MqttClientOptions
        {
            Host = registration.Mqtt.Host,
            Port = cable?.Port ?? registration.Mqtt.Port,
            ClientId = registration.Id + "-ne",
            Username = registration.Mqtt.Username,
            Password = registration.Mqtt.Password,
            KeepAlive = TimeSpan.FromSeconds(5),
            Will = new MqttWill(
                NodeTopics.Status(registration.Id), CanopyJson.SerializeToUtf8(new NodeStatus(NodeStatus.Offline, DateTimeOffset.UtcNow)),
                MqttQos.AtLeastOnce, Retain: true),
            Tls = registration.Mqtt.Tls ? cluster.BrokerTls : null,
        });
        var node = new FakeNode(host, registration, client, cable, options);
        client.MessageReceived += node.OnMessageAsync;
        await client.ConnectAsync(CancellationToken.None);
        await client.SubscribeAsync($"nodes/{registration.Id}/control/#", MqttQos.AtLeastOnce, CancellationToken.None);
        await client.SubscribeAsync(NodeTopics.NetTable(registration.Id), MqttQos.AtLeastOnce, CancellationToken.None);
        await client.PublishAsync(
            NodeTopics.Status(registration.Id), CanopyJson.SerializeToUtf8(new NodeStatus(NodeStatus.Online, DateTimeOffset.UtcNow)),
            MqttQos.AtLeastOnce, retain: true);
        await node.PublishHeartbeatAsync();
        node._heartbeat = node.HeartbeatAsync();
        return node;
    }

    /// <summary>A plain client of the cluster's broker with <paramref name="credentials"/> (not connected yet).</summary>
    public static MqttClient BrokerClient(TestCluster cluster, MqttCredentials credentials, string clientId) => new(new MqttClientOptions
    {
        Host = credentials.Host,
        Port = credentials.Port,
        ClientId = clientId,
        Username = credentials.Username,
        Password = credentials.Password,
        Tls = credentials.Tls ? cluster.BrokerTls : null,
    });

    /// <summary>What a node engine sends on <c>job</c> when an instance changes.</summary>
    public async Task ReportAsync(string serviceId, int instanceNumber, InstanceStatus status, string? detail = null, string? instanceIp = null)
    {
        if (instanceIp is not null)
        {
            _addresses[(serviceId, instanceNumber)] = instanceIp;
        }

        var report = new InstanceReport
        {
            ServiceId = serviceId,
            InstanceNumber = instanceNumber,
            Status = status,
            StatusDetail = detail,
            NodeId = Id,
            Pid = status == InstanceStatus.Running ? 4242 : null,
            InstanceIp = _addresses.GetValueOrDefault((serviceId, instanceNumber)),
            CpuPercent = 1.5,
            Memory = 12,
            Timestamp = DateTimeOffset.UtcNow,
        };
        if (status == InstanceStatus.Undeployed)
        {
            _inventory.TryRemove((serviceId, instanceNumber), out _);
        }
        else
        {
            _inventory[(serviceId, instanceNumber)] = report;
        }

        await Client.PublishAsync(NodeTopics.Job(Id), CanopyJson.SerializeToUtf8(report));
    }

    /// <summary>Puts an instance into the node's inventory without a <c>job</c> message, as if it had run there all along.</summary>
    public void Pretend(string serviceId, int instanceNumber, InstanceStatus status) =>
        _inventory[(serviceId, instanceNumber)] = new InstanceReport
        {
            ServiceId = serviceId,
            InstanceNumber = instanceNumber,
            Status = status,
            NodeId = Id,
            Timestamp = DateTimeOffset.UtcNow,
        };

    /// <summary>Drops an instance from the inventory without telling anyone, as a node that lost it would.</summary>
    public void Forget(string serviceId, int instanceNumber) => _inventory.TryRemove((serviceId, instanceNumber), out _);

    /// <summary>The node crashes: its connection is reset, the broker publishes its last will.</summary>
    public void Crash()
    {
        _stop.Cancel();
        (Cable ?? throw new InvalidOperationException("start the node with ThroughCable to crash it")).Cut();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _heartbeat.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Client.DisposeAsync();
        if (Cable is not null)
        {
            await Cable.DisposeAsync();
        }
    }

    private async Task OnMessageAsync(MqttMessage message)
    {
        if (message.Topic == NodeTopics.NetTable(Id))
        {
            NetTables.Add(message.Payload.IsEmpty ? null : CanopyJson.Deserialize<NodeNetTable>(message.Payload.Span));
            return;
        }

        var kind = message.Topic[(message.Topic.IndexOf("/control/", StringComparison.Ordinal) + "/control/".Length)..];
        Commands.Add((kind, message.PayloadText));
        switch (kind)
        {
            case "deploy":
                var deploy = CanopyJson.Deserialize<DeployCommand>(message.Payload.Span)!;
                await ReportAsync(
                    deploy.Service.ServiceId, deploy.InstanceNumber, _options.AutoRun ? InstanceStatus.Running : InstanceStatus.Creating,
                    instanceIp: _options.InstanceIp?.Invoke(this, deploy));
                break;
            case "delete":
                var delete = CanopyJson.Deserialize<DeleteCommand>(message.Payload.Span)!;
                await ReportAsync(delete.ServiceId, delete.InstanceNumber, InstanceStatus.Undeployed, "deleted");
                break;
            case "logs":
                var request = CanopyJson.Deserialize<LogsRequest>(message.Payload.Span)!;
                var text = $"log of {request.ServiceId}.{request.InstanceNumber} on {Host} (tail {request.Tail})";
                await Client.PublishAsync(
                    NodeTopics.Logs(Id), CanopyJson.SerializeToUtf8(new LogsResult(request.RequestId, request.ServiceId, request.InstanceNumber, text)));
                break;
        }
    }

    /// <summary>The node's 2 s monitoring cycle, shortened so tests run fast.</summary>
    private async Task HeartbeatAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (await timer.WaitForNextTickAsync(_stop.Token))
        {
            await PublishHeartbeatAsync();
        }
    }

    private async Task PublishHeartbeatAsync()
    {
        var information = new NodeInformation
        {
            CpuPercent = 10,
            Vcpus = _options.Vcpus,
            Memory = _options.MemoryTotal - 100,
            MemoryTotal = _options.MemoryTotal,
            MemoryPercent = 5,
            Architecture = _options.Architecture,
            Virtualization = _options.Virtualization,
            Ip = _options.Ip,
            Overlay = _options.Overlay,
            Timestamp = DateTimeOffset.UtcNow,
        };
        information = _options.Information?.Invoke(information) ?? information;
        await Client.PublishAsync(NodeTopics.Information(Id), CanopyJson.SerializeToUtf8(information), MqttQos.AtMostOnce, false, _stop.Token);
        await Client.PublishAsync(
            NodeTopics.JobsResources(Id), CanopyJson.SerializeToUtf8(new JobsResources(Inventory.ToList())), MqttQos.AtMostOnce, false, _stop.Token);
    }
}

internal sealed record FakeNodeOptions
{
    public double Vcpus { get; init; } = 4;
    public long MemoryTotal { get; init; } = 4096;

    /// <summary>Answer a deploy with RUNNING at once (otherwise CREATING, and the test reports RUNNING itself).</summary>
    public bool AutoRun { get; init; } = true;

    public bool ThroughCable { get; init; }

    public string Ip { get; init; } = "127.0.0.1";

    public IReadOnlyList<string> Virtualization { get; init; } = ["exec"];

    public string Architecture { get; init; } = "amd64";

    /// <summary>The VXLAN endpoint it registers and reports; null: a node without an overlay.</summary>
    public NodeOverlay? Overlay { get; init; }

    /// <summary>The address it reports for an instance it was told to deploy (as a node reports a container's CNI address).</summary>
    public Func<FakeNode, DeployCommand, string?>? InstanceIp { get; init; }

    /// <summary>Instances it runs from the start (a node engine that restarted and adopted them), in its first inventory.</summary>
    public IReadOnlyList<InstanceReport> Running { get; init; } = [];

    /// <summary>Changes each <c>information</c> before it is published (a node that reports nonsense).</summary>
    public Func<NodeInformation, NodeInformation>? Information { get; init; }
}
