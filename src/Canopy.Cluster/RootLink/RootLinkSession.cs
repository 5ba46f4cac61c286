using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Canopy.Cluster.Instances;
using Canopy.Cluster.Net;
using Canopy.Cluster.Storage;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Core.States;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.RootLink;

/// <summary>
/// One connection of the root link, from <c>hello</c> until it breaks. One loop receives the root's messages in order, one loop
/// is the only sender (outbox, resources, metrics), so frames never interleave.
/// </summary>
internal sealed partial class RootLinkSession(
    WebSocket socket, string clusterId, ClusterGate gate, InstanceTracker tracker, IClusterStore store, RootOutbox outbox,
    RootCommands commands, NetChanges netChanges, ClusterReadiness readiness, ClusterTraffic traffic, ClusterOptions options, TimeProvider time,
    ILogger<RootLinkSession> logger)
{
    public delegate RootLinkSession Factory(WebSocket socket, string clusterId);

    /// <summary>Resource changes closer together than this are sent as one.</summary>
    private static readonly TimeSpan ResourcesMinSpacing = TimeSpan.FromMilliseconds(500);

    private readonly MetricsChanges _metrics = new(options.MetricsRefreshInterval);

    private long _seq;
    private string? _lastResources;
    private string? _lastSignature;
    private DateTimeOffset _lastResourcesSent;
    private DateTimeOffset _lastResourcesCheck;

    /// <summary>Returns when the connection breaks (throws) or the cluster stops.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        // Whatever was queued for the last connection is older than the hello below, which carries it all.
        outbox.Clear();
        var instances = await gate.RunAsync(() => tracker.ReportAllAsync(_ => true, stoppingToken), stoppingToken);
        await SendAsync(LinkMessageTypes.Hello, new ClusterHello(clusterId, instances, time.GetUtcNow()), stoppingToken);
        await SendResourcesAsync(force: true, stoppingToken);
        netChanges.RootLinkUp();
        readiness.SetLinkUp();

        using var session = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var receiving = InboundAsync(session.Token);
        var sending = SendLoopAsync(session.Token);
        var first = await Task.WhenAny(receiving, sending);
        await session.CancelAsync();

        // The other loop only stops because of the cancel; its outcome says nothing.
        await Task.WhenAll(receiving, sending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (stoppingToken.IsCancellationRequested)
        {
            await CloseAsync();
            return;
        }

        if (first.IsFaulted)
        {
            await first;
        }

        throw new WebSocketException("the root closed the link");
    }

    private async Task ReceiveLoopAsync(ChannelWriter<LinkMessage> inbox, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
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

            if (Parse(message.GetBuffer().AsMemory(0, (int)message.Length)) is { } parsed)
            {
                await inbox.WriteAsync(parsed, ct);
            }
        }
    }

    private LinkMessage? Parse(ReadOnlyMemory<byte> frame)
    {
        try
        {
            var message = CanopyJson.Deserialize<LinkMessage>(frame.Span) ?? throw new JsonException("empty message");
            traffic.LinkReceived(message.Type, frame.Length);
            return message;
        }
        catch (JsonException e)
        {
            Log.Failed(logger, e, "(unreadable)");
            return null;
        }
    }

    private async Task HandleAsync(LinkMessage message, CancellationToken ct)
    {
        try
        {
            switch (message.Type)
            {
                case LinkMessageTypes.Deploy:
                    var deploy = message.Read<DeployInstance>();
                    await gate.RunAsync(() => commands.DeployAllAsync([deploy], ct), ct);
                    break;
                case LinkMessageTypes.Undeploy:
                    var undeploy = message.Read<UndeployInstance>();
                    await gate.RunAsync(() => commands.UndeployAsync(undeploy, ct), ct);
                    break;
                case LinkMessageTypes.NetTable:
                    var table = message.Read<RootNetTable>();
                    await gate.RunAsync(() => commands.NetTableAsync(table, ct), ct);
                    break;
                case LinkMessageTypes.SubnetBlocks:
                    var blocks = message.Read<SubnetBlocks>();
                    await gate.RunAsync(() => commands.SubnetBlocksAsync(blocks, ct), ct);
                    break;
                case LinkMessageTypes.Request:
                    // Answered on the side: a logs request waits for a node, and must not hold up deploys behind it.
                    _ = AnswerAsync(message.Read<LinkRequest>(), ct);
                    break;
                default:
                    Log.Unknown(logger, message.Type);
                    break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Log.Failed(logger, e, message.Type);
        }
    }

    private async Task AnswerAsync(LinkRequest request, CancellationToken ct)
    {
        try
        {
            outbox.Response(await commands.AnswerAsync(request, ct));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Log.Failed(logger, e, $"request {request.Kind}");
            outbox.Response(new LinkResponse(request.RequestId, false, null, $"the cluster failed to answer: {e.Message}"));
        }
    }

    private async Task SendLoopAsync(CancellationToken ct)
    {
        var nextMetrics = time.GetUtcNow() + options.MetricsInterval;
        var resourcesDirty = false;
        while (true)
        {
            while (outbox.Messages.TryRead(out var pending))
            {
                await SendAsync(pending.Type, pending.Payload, ct);
            }

            var now = time.GetUtcNow();
            resourcesDirty |= outbox.ResourcesChanged.TryRead(out _);
            if ((resourcesDirty && now - _lastResourcesCheck >= ResourcesMinSpacing) || now - _lastResourcesSent >= options.ResourcesInterval)
            {
                await SendResourcesAsync(force: now - _lastResourcesSent >= options.ResourcesInterval, ct);
                resourcesDirty = false;
            }

            if (now >= nextMetrics)
            {
                await SendMetricsAsync(ct);
                nextMetrics = now + options.MetricsInterval;
            }

            var wake = Min(nextMetrics, _lastResourcesSent + options.ResourcesInterval);
            if (resourcesDirty)
            {
                wake = Min(wake, _lastResourcesCheck + ResourcesMinSpacing);
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var waits = new List<Task>
            {
                outbox.Messages.WaitToReadAsync(wait.Token).AsTask(),
                Task.Delay(Max(wake - time.GetUtcNow(), TimeSpan.Zero), time, wait.Token),
            };
            if (!resourcesDirty)
            {
                waits.Add(outbox.ResourcesChanged.WaitToReadAsync(wait.Token).AsTask());
            }

            await Task.WhenAny(waits);
            await wait.CancelAsync();
            ct.ThrowIfCancellationRequested();
        }
    }

    private async Task SendResourcesAsync(bool force, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        _lastResourcesCheck = now;
        var nodes = await store.ListNodesAsync(ct);
        var signature = ResourceSignature.Of(nodes);
        if (!force && signature == _lastSignature)
        {
            return;
        }

        _lastSignature = signature;
        var resources = ResourceReport.Build(nodes);
        var text = ResourceReport.Fingerprint(resources);
        if (!force && text == _lastResources)
        {
            return;
        }

        await SendAsync(LinkMessageTypes.Resources, new ClusterResources(resources, time.GetUtcNow()), ct);
        _lastResources = text;
        _lastResourcesSent = now;
    }

    private async Task SendMetricsAsync(CancellationToken ct)
    {
        var running = await tracker.ReportAllAsync(i => i.Status == InstanceStatus.Running, ct);
        var changed = _metrics.Select(running, time.GetUtcNow());
        if (changed.Count > 0)
        {
            await SendAsync(LinkMessageTypes.InstanceMetrics, new InstanceMetrics(changed), ct);
        }
    }

    private async Task SendAsync<T>(string type, T payload, CancellationToken ct)
    {
        var message = LinkMessage.Create(type, Interlocked.Increment(ref _seq), payload);
        var bytes = CanopyJson.SerializeToUtf8(message);
        await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        traffic.LinkSent(type, bytes.Length);
    }

    private async Task CloseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "cluster stopping", timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The root will notice the connection is gone anyway.
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.LinkUnknownMessage, Level = LogLevel.Warning, Message = "Ignored root message of unknown type '{Type}'")]
        public static partial void Unknown(ILogger logger, string type);

        [LoggerMessage(EventId = EventIds.LinkMessageFailed, Level = LogLevel.Error, Message = "Handling the root's '{Type}' message failed")]
        public static partial void Failed(ILogger logger, Exception error, string type);
    }
}
