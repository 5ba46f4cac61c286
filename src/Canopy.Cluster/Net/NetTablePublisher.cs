using Canopy.Cluster.Instances;
using Canopy.Cluster.Nodes;
using Canopy.Cluster.RootLink;
using Canopy.Cluster.Storage;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Mqtt;
using Canopy.Contracts.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Net;

/// <summary>
/// Keeps every node's retained <c>nodes/&lt;id&gt;/net/table</c> equal to <see cref="NodeNetTables"/> of the cluster's state: after a
/// change (debounced, so that a burst of reports makes one table), it recomputes all tables and publishes each one that differs
/// from the last one sent to its node, with a higher <see cref="NodeNetTable.Version"/>; a node that left gets an empty retained
/// message. At start it publishes every table from the store (the root's last table included), so a restarted cluster, whose
/// broker lost its retained messages, restores every node's routes without waiting for the root. It also tells the root its
/// nodes' overlay endpoints (<c>net_nodes</c>) after every hello and when they change. A lost or just returned node's table waits
/// (<see cref="NetTableHolds"/>).
/// </summary>
internal sealed partial class NetTablePublisher(
    ClusterGate gate, IClusterStore store, ClusterMqtt mqtt, RootOutbox root, NetChanges changes, NetTableHolds holds,
    ClusterReadiness readiness, TimeProvider time, ILogger<NetTablePublisher> logger) : BackgroundService
{
    /// <summary>Long enough to gather the reports of one change (an instance stops, another starts), short against the 1 s goal.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(30);

    /// <summary>The longest wait a slow pass (a large cluster, a busy gate) puts before the next one.</summary>
    public static readonly TimeSpan MaxPacing = TimeSpan.FromSeconds(1);

    /// <summary>Each node's last published table (Version 0, as JSON), by node id.</summary>
    private readonly Dictionary<string, string> _published = [];

    // Versions continue from the clock, so that a restarted cluster's tables still count up from its last ones.
    private long _version = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
    private string? _netNodes;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        changes.Changed();
        var lastPass = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            await changes.WaitAsync(stoppingToken);

            // At least as long as the last pass took: while changes keep coming (a scale to 1,000, a mass drop), at most half of
            // the time goes to tables that the next change makes stale again, and every change is still covered by a pass.
            await Task.Delay(TimeSpan.FromTicks(Math.Clamp(lastPass.Ticks, Debounce.Ticks, MaxPacing.Ticks)), time, stoppingToken);
            changes.Drain();
            var started = time.GetTimestamp();
            try
            {
                await PublishAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The next change tries again with everything.
                Log.Failed(logger, e);
            }

            lastPass = time.GetElapsedTime(started);
        }
    }

    private async Task PublishAsync(CancellationToken ct)
    {
        if (changes.TakeBrokerReconnected())
        {
            _published.Clear();
        }

        var state = await gate.RunAsync(() => ReadStateAsync(ct), ct);
        var tables = NodeNetTables.Build(state.Services, state.Instances, state.Nodes, state.Root, state.ClusterId);
        var sent = 0;
        foreach (var (nodeId, table) in tables)
        {
            if (state.Held.Contains(nodeId))
            {
                continue;
            }

            var text = CanopyJson.Serialize(table);
            if (_published.GetValueOrDefault(nodeId) == text)
            {
                continue;
            }

            mqtt.Publish(NodeTopics.NetTable(nodeId), CanopyJson.SerializeToUtf8(table with { Version = ++_version }), retain: true);
            _published[nodeId] = text;
            sent++;
        }

        foreach (var gone in _published.Keys.Where(id => !tables.ContainsKey(id)).ToList())
        {
            // An empty retained message deletes the retained table: nothing is left for a node of that id.
            mqtt.Publish(NodeTopics.NetTable(gone), [], retain: true);
            _published.Remove(gone);
            Log.Cleared(logger, gone);
        }

        if (sent > 0)
        {
            Log.Published(logger, sent, tables.Count, _version);
        }

        if (state.WakeAt is { } wakeAt)
        {
            WakeAt(wakeAt, ct);
        }

        var netNodes = NodeNetTables.NetNodes(state.Nodes, state.ClusterId);
        var netNodesText = CanopyJson.Serialize(netNodes);
        if (changes.TakeRootLinkUp() || netNodesText != _netNodes)
        {
            root.NetNodes(netNodes);
            _netNodes = netNodesText;
        }
    }

    private async Task<NetState> ReadStateAsync(CancellationToken ct)
    {
        var rootTable = await store.GetSettingAsync(SettingKeys.RootNetTable, ct) is { } json ? CanopyJson.Deserialize<RootNetTable>(json) : null;
        var nodes = await store.ListNodesAsync(ct);
        var (held, wakeAt) = holds.Update(nodes);
        return new NetState(
            await store.ListServicesAsync(ct), await store.ListInstancesAsync(ct), nodes, rootTable,
            readiness.ClusterId ?? await store.GetSettingAsync(SettingKeys.ClusterId, ct), held, wakeAt);
    }

    /// <summary>A returning node's table is due by <paramref name="at"/> even if its inventory never comes.</summary>
    private void WakeAt(DateTimeOffset at, CancellationToken ct)
    {
        var wait = at - time.GetUtcNow();
        _ = Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, ct)
            .ContinueWith(_ => changes.Changed(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    private sealed record NetState(
        IReadOnlyList<ServiceSpec> Services, IReadOnlyList<InstanceRecord> Instances, IReadOnlyList<NodeRecord> Nodes, RootNetTable? Root,
        string? ClusterId, IReadOnlySet<string> Held, DateTimeOffset? WakeAt);

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.NetTablesPublished, Level = LogLevel.Debug, Message = "Published {Count} of {Total} node net tables (up to version {Version})")]
        public static partial void Published(ILogger logger, int count, int total, long version);

        [LoggerMessage(EventId = EventIds.NetTableCleared, Level = LogLevel.Information, Message = "Cleared the net table of node {NodeId}, which is no longer in the cluster")]
        public static partial void Cleared(ILogger logger, string nodeId);

        [LoggerMessage(EventId = EventIds.NetPublishFailed, Level = LogLevel.Error, Message = "Computing or publishing the node net tables failed; the next change tries again")]
        public static partial void Failed(ILogger logger, Exception error);
    }
}
