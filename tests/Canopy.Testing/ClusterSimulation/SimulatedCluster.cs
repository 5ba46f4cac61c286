using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Registration;
using Canopy.Core.Resources;
using Canopy.Core.States;
using Canopy.Security;

namespace Canopy.Testing.ClusterSimulation;

/// <summary>
/// One simulated cluster orchestrator against a real root, over the real link: it registers with the join token (whose CA pin it
/// checks in the TLS handshake, as <c>canopy cluster</c> does) and its own secret, holds one <c>wss://</c> link with its
/// credential, says hello, reports its aggregate on the cluster's schedule (every 5 s, and within 0.5 s of a change) and metrics
/// every 2 s, and runs what the root deploys as instances that only exist as state: NODE_SCHEDULED, then RUNNING on one of its
/// simulated nodes. The messages are Canopy.Contracts' link types, the same the cluster's RootLinkSession sends.
/// </summary>
public sealed class SimulatedCluster
{
    private static readonly TimeSpan ResourcesInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ResourcesMinSpacing = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MetricsInterval = TimeSpan.FromSeconds(2);

    private readonly ClusterSimulatorOptions _options;
    private readonly PinnedCa? _pinned;
    private readonly string _secret = Secrets.New();
    private readonly ConcurrentDictionary<(string ServiceId, int Number), Running> _instances = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private WebSocket? _socket;
    private long _seq;
    private volatile bool _resourcesChanged;

    internal SimulatedCluster(ClusterSimulatorOptions options, string name)
    {
        _options = options;
        Name = name;
        var pin = JoinToken.Parse(options.JoinToken).CaPin;
        _pinned = pin is null ? null : new PinnedCa(pin);
    }

    public string Name { get; }

    /// <summary>The id the root gave it; null until registered.</summary>
    public string? Id { get; private set; }

    /// <summary>Its link is open and its hello and first resources are sent.</summary>
    public bool Linked { get; private set; }

    /// <summary>Instances it holds now (any state).</summary>
    public int Instances => _instances.Count;

    /// <summary>Registers, then keeps its link open (reconnecting after 1 s) until <paramref name="ct"/> is cancelled.</summary>
    internal async Task RunAsync(HttpClient http, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var registered = await RegisterAsync(http, ct);
                Id = registered.Id;
                await LinkAsync(registered, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or WebSocketException or IOException or OperationCanceledException)
            {
                // The root is away or restarting: as a real cluster, try again.
            }
            finally
            {
                Linked = false;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>The pinned HTTP client for registration (shared by every simulated cluster of a simulator).</summary>
    internal static HttpClient CreateHttpClient(string joinToken)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 16 };
        if (JoinToken.Parse(joinToken).CaPin is { } pin)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = new PinnedCa(pin).Callback;
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    private async Task<ClusterRegisterResponse> RegisterAsync(HttpClient http, CancellationToken ct)
    {
        var request = new ClusterRegisterRequest
        {
            ClusterName = Name,
            JoinToken = JoinToken.Parse(_options.JoinToken).Secret,
            ClusterLocation = _options.Location,
            Secret = _secret,
        };
        using var response = await http.PostAsJsonAsync(new Uri(new Uri(_options.RootUrl.TrimEnd('/') + "/"), "api/v1/clusters/register"), request, CanopyJson.Options, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"the root refused the registration of {Name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }

        return (await response.Content.ReadFromJsonAsync<ClusterRegisterResponse>(CanopyJson.Options, ct))!;
    }

    private async Task LinkAsync(ClusterRegisterResponse registered, CancellationToken ct)
    {
        using var socket = new ClientWebSocket();
        if (_pinned is not null)
        {
            socket.Options.RemoteCertificateValidationCallback = _pinned.Callback;
        }

        socket.Options.SetRequestHeader("Authorization", $"Bearer {registered.Credential}");
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(10);
        var root = new UriBuilder(_options.RootUrl.TrimEnd('/') + "/");
        root.Scheme = root.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        await socket.ConnectAsync(new Uri(root.Uri, $"api/v1/clusters/{Uri.EscapeDataString(registered.Id)}/link"), ct);
        _socket = socket;

        var now = DateTimeOffset.UtcNow;
        await SendAsync(LinkMessageTypes.Hello, new ClusterHello(registered.Id, _instances.Values.Select(i => i.Report).ToList(), now), ct);
        await SendAsync(LinkMessageTypes.Resources, new ClusterResources(Resources(), now), ct);
        Linked = true;

        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var receiving = ReceiveAsync(socket, session.Token);
        var reporting = ReportAsync(session.Token);
        await Task.WhenAny(receiving, reporting);
        await session.CancelAsync();
        await Task.WhenAll(receiving, reporting).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ReceiveAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            message.SetLength(0);
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(), ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            var received = CanopyJson.Deserialize<LinkMessage>(message.GetBuffer().AsSpan(0, (int)message.Length));
            if (received is not null)
            {
                await HandleAsync(received, ct);
            }
        }
    }

    private async Task HandleAsync(LinkMessage message, CancellationToken ct)
    {
        switch (message.Type)
        {
            case LinkMessageTypes.Deploy:
                var deploy = message.Read<DeployInstance>();
                await DeployAsync(deploy.Service, deploy.InstanceNumber, ct);
                break;
            case LinkMessageTypes.Undeploy:
                var undeploy = message.Read<UndeployInstance>();
                foreach (var key in _instances.Keys.Where(k => k.ServiceId == undeploy.ServiceId && (undeploy.InstanceNumber < 0 || k.Number == undeploy.InstanceNumber)).ToList())
                {
                    if (_instances.TryRemove(key, out var gone))
                    {
                        _resourcesChanged = true;
                        await SendAsync(LinkMessageTypes.InstanceStatus, gone.Report with { Status = InstanceStatus.Undeployed, Timestamp = DateTimeOffset.UtcNow }, ct);
                    }
                }

                break;
            case LinkMessageTypes.Request:
                var request = message.Read<LinkRequest>();
                await SendAsync(LinkMessageTypes.Response,
                    new LinkResponse(request.RequestId, false, null, $"simulated cluster {Name} answers no '{request.Kind}' requests"), ct);
                break;
            default:
                // net_table, subnet_blocks: a simulated cluster has no overlay.
                break;
        }
    }

    /// <summary>As a cluster with simulated nodes: placed on a node at once, RUNNING as soon as the node reports it.</summary>
    private async Task DeployAsync(ServiceSpec spec, int number, CancellationToken ct)
    {
        var node = (Math.Abs(HashCode.Combine(spec.ServiceId, number)) % _options.NodesPerCluster) + 1;
        var report = new InstanceReport
        {
            ServiceId = spec.ServiceId,
            JobName = spec.JobName,
            InstanceNumber = number,
            Status = InstanceStatus.NodeScheduled,
            NodeId = $"{Name}-node-{node}",
            NodeName = $"{Name}-node-{node}",
            HostIp = "192.0.2.1",
            Timestamp = DateTimeOffset.UtcNow,
        };
        _instances[(spec.ServiceId, number)] = new Running(report, spec.Vcpus, spec.Memory);
        _resourcesChanged = true;
        await SendAsync(LinkMessageTypes.InstanceStatus, report, ct);
        var running = report with { Status = InstanceStatus.Running, StartedAt = DateTimeOffset.UtcNow, Timestamp = DateTimeOffset.UtcNow };
        _instances[(spec.ServiceId, number)] = new Running(running, spec.Vcpus, spec.Memory);
        await SendAsync(LinkMessageTypes.InstanceStatus, running, ct);
    }

    private async Task ReportAsync(CancellationToken ct)
    {
        var lastResources = DateTimeOffset.UtcNow;
        var lastMetrics = lastResources;
        using var tick = new PeriodicTimer(ResourcesMinSpacing);
        while (await tick.WaitForNextTickAsync(ct))
        {
            var now = DateTimeOffset.UtcNow;
            if (_resourcesChanged || now - lastResources >= ResourcesInterval)
            {
                _resourcesChanged = false;
                lastResources = now;
                await SendAsync(LinkMessageTypes.Resources, new ClusterResources(Resources(), now), ct);
            }

            if (now - lastMetrics >= MetricsInterval)
            {
                lastMetrics = now;
                var running = _instances.Values.Where(i => i.Report.Status == InstanceStatus.Running)
                    .Select(i => i.Report with { CpuPercent = 1, Memory = i.Memory / 2.0, MemoryPercent = 1, Timestamp = now }).ToList();
                if (running.Count > 0)
                {
                    await SendAsync(LinkMessageTypes.InstanceMetrics, new InstanceMetrics(running), ct);
                }
            }
        }
    }

    /// <summary>The aggregate of its nodes as a cluster reports it: totals, and what its instances leave free.</summary>
    private JsonObject Resources()
    {
        var nodes = _options.NodesPerCluster;
        var memoryTotal = (long)nodes * _options.MemoryPerNode;
        var reserved = _instances.Values.Sum(i => (long)i.Memory);
        return new JsonObject
        {
            [ResourceKeys.CpuPercent] = 5.0,
            [ResourceKeys.Vcpus] = nodes * _options.VcpusPerNode,
            [ResourceKeys.Memory] = Math.Max(0, memoryTotal - reserved),
            [ResourceKeys.MemoryTotal] = memoryTotal,
            [ResourceKeys.MemoryPercent] = memoryTotal == 0 ? 0 : Math.Round(100.0 * reserved / memoryTotal, 1),
            [ResourceKeys.Virtualization] = new JsonArray("exec", "container"),
            [ResourceKeys.Architecture] = new JsonArray("amd64"),
            [ResourceKeys.ActiveNodes] = nodes,
        };
    }

    private async Task SendAsync<T>(string type, T payload, CancellationToken ct)
    {
        var socket = _socket ?? throw new WebSocketException("not linked");
        var bytes = CanopyJson.SerializeToUtf8(LinkMessage.Create(type, Interlocked.Increment(ref _seq), payload));
        await _sending.WaitAsync(ct);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sending.Release();
        }
    }

    private sealed record Running(InstanceReport Report, double Vcpus, int Memory);
}
