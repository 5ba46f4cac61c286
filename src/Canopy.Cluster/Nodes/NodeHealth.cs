using Canopy.Cluster.Instances;
using Canopy.Cluster.Net;
using Canopy.Cluster.Placement;
using Canopy.Cluster.RootLink;
using Canopy.Cluster.Storage;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Mqtt;
using Canopy.Core.States;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Nodes;

/// <summary>
/// Whether a node is alive: <c>information</c> makes it active, its last will or a missed heartbeat makes it inactive, and
/// then its instances are placed again elsewhere. Callers hold the <see cref="ClusterGate"/>.
/// </summary>
internal sealed partial class NodeHealth(
    IClusterStore store, InstanceTracker tracker, ClusterScheduler scheduler, RootOutbox root, SchedulerSignal signal,
    NodeLiveness liveness, NetChanges netChanges, HeartbeatWrites heartbeats, ClusterOptions options, TimeProvider time, ILogger<NodeHealth> logger)
{
    // Nodes saved as active by an earlier run get NodeReconnectTimeout from this start to show up again.
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    public async Task OnInformationAsync(string nodeId, NodeInformation information, CancellationToken ct)
    {
        var node = await store.GetNodeAsync(nodeId, ct);
        if (node is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        var skew = ClockSkew.Estimate(information.Timestamp, now);
        var skewChanged = ClockSkew.IsSignificant(skew) != ClockSkew.IsSignificant(node.ClockSkew());
        WarnOnClockChange(node, skew);
        if (!node.Active)
        {
            Log.Active(logger, node.Host, node.Id);
            root.NodeStatus(new NodeLivenessChange(node.Id, node.Host, true,
                node.Latest is null ? "it registered and reported its resources" : "it reports again", now));
        }

        // Instances waiting for a worker may fit now: a node came back, or its container runtime became ready after it registered.
        var runtimesChanged = !information.Virtualization.SequenceEqual(node.Latest?.Virtualization ?? []);

        // Its overlay endpoint and address are in other nodes' tables and the root's net_nodes.
        var addressChanged = node.Overlay != information.Overlay || (information.Ip is { } ip && ip != node.Ip);
        if (node.Active && !runtimesChanged && !addressChanged && !skewChanged)
        {
            heartbeats.Defer(nodeId, Sanitize(information), now);
            root.SignalResourcesChanged();
            return;
        }

        heartbeats.Forget(nodeId);
        await store.SaveNodeInformationAsync(nodeId, Sanitize(information), now, ct);
        if (!node.Active || runtimesChanged)
        {
            signal.Kick();
        }

        if (!node.Active || addressChanged)
        {
            netChanges.Changed();
        }

        root.SignalResourcesChanged();
    }

    /// <summary>A wrong clock does not stop a node from working here, but the people who run it should know (once, not every 2 s).</summary>
    private void WarnOnClockChange(NodeRecord node, TimeSpan? skew)
    {
        var before = node.ClockSkew();
        if (ClockSkew.IsSignificant(skew) && !ClockSkew.IsSignificant(before))
        {
            Log.ClockSkewed(logger, node.Host, node.Id, ClockSkew.Describe(skew!.Value));
        }
        else if (!ClockSkew.IsSignificant(skew) && ClockSkew.IsSignificant(before) && skew is not null)
        {
            Log.ClockFixed(logger, node.Host, node.Id);
        }
    }

    /// <summary>
    /// Impossible readings never reach the scheduler or the root: negative amounts become 0 (a 0 capacity falls back to what the
    /// node registered), available memory stays within the total, percentages within 0-100.
    /// </summary>
    internal static NodeInformation Sanitize(NodeInformation information) => information with
    {
        CpuPercent = double.IsFinite(information.CpuPercent) ? Math.Clamp(information.CpuPercent, 0, 100) : 0,
        Vcpus = double.IsFinite(information.Vcpus) ? Math.Max(0, information.Vcpus) : 0,
        Memory = Math.Clamp(information.Memory, 0, information.MemoryTotal > 0 ? information.MemoryTotal : long.MaxValue),
        MemoryTotal = Math.Max(0, information.MemoryTotal),
        MemoryPercent = double.IsFinite(information.MemoryPercent) ? Math.Clamp(information.MemoryPercent, 0, 100) : 0,
    };

    public async Task OnStatusAsync(string nodeId, string status, CancellationToken ct)
    {
        var node = await store.GetNodeAsync(nodeId, ct);
        if (status == NodeStatus.Online)
        {
            // A node that reconnects, or the broker's retained "online" of one still connected when this cluster starts.
            liveness.Online(nodeId);
        }
        else if (node is { Active: true } && status == NodeStatus.Offline)
        {
            await MarkInactiveAsync(node, "it went offline (its MQTT connection ended)", ct);
        }
    }

    /// <summary>The failure detector's tick: nodes silent for longer than the heartbeat timeout are lost (the fallback to the last will).</summary>
    public async Task CheckHeartbeatsAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var id in await store.ListActiveNodeIdsAsync(ct))
        {
            var silence = NodeSilence.Judge(liveness.LastHeard(id), _startedAt, now, options.NodeHeartbeatTimeout, options.NodeReconnectTimeout);
            if (silence is not null && await store.GetNodeAsync(id, ct) is { Active: true } node)
            {
                await MarkInactiveAsync(node, silence, ct);
            }
        }
    }

    /// <summary>
    /// <c>canopy node --leave</c>: its instances are placed elsewhere as for a lost node, then the cluster forgets it (a later
    /// registration from the same machine is a new node).
    /// </summary>
    public async Task LeaveAsync(NodeRecord node, CancellationToken ct)
    {
        await MarkInactiveAsync(node, "it left the cluster", ct);
        await store.DeleteNodeAsync(node.Id, ct);
        liveness.Forget(node.Id);
        netChanges.Changed();
        Log.Left(logger, node.Host, node.Id);
    }

    public async Task MarkInactiveAsync(NodeRecord node, string reason, CancellationToken ct)
    {
        await store.SetNodeActiveAsync(node.Id, false, ct);
        Log.Inactive(logger, node.Host, node.Id, reason);
        root.NodeStatus(new NodeLivenessChange(node.Id, node.Host, false, reason, time.GetUtcNow()));
        root.SignalResourcesChanged();
        netChanges.Changed();
        var moving = new List<InstanceRecord>();
        foreach (var instance in await store.ListInstancesOnNodeAsync(node.Id, ct))
        {
            if (instance.Deleting)
            {
                await tracker.FinalizeUndeployAsync(instance, $"its node {node.Host} is gone", ct);
            }
            else if (instance.Status.IsPlacedOnNode())
            {
                Log.Rescheduling(logger, instance.ToString(), node.Host);
                moving.Add(instance with { Detail = $"node {node.Host} lost: {reason}" });
            }
        }

        if (moving.Count > 0)
        {
            await scheduler.PlaceAllAsync(moving, ct);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.NodeActive, Level = LogLevel.Information, Message = "Node {Host} ({NodeId}) is active")]
        public static partial void Active(ILogger logger, string host, string nodeId);

        [LoggerMessage(EventId = EventIds.NodeInactive, Level = LogLevel.Warning, Message = "Node {Host} ({NodeId}) is inactive: {Reason}")]
        public static partial void Inactive(ILogger logger, string host, string nodeId, string reason);

        [LoggerMessage(EventId = EventIds.NodeLeft, Level = LogLevel.Information, Message = "Node {Host} ({NodeId}) left the cluster")]
        public static partial void Left(ILogger logger, string host, string nodeId);

        [LoggerMessage(EventId = EventIds.NodeClockSkewed, Level = LogLevel.Warning, Message = "Node {Host} ({NodeId}): its clock is {Skew} the cluster's; the times it reports are corrected, but set its clock (NTP)")]
        public static partial void ClockSkewed(ILogger logger, string host, string nodeId, string skew);

        [LoggerMessage(EventId = EventIds.NodeClockFixed, Level = LogLevel.Information, Message = "Node {Host} ({NodeId}): its clock agrees with the cluster's again")]
        public static partial void ClockFixed(ILogger logger, string host, string nodeId);

        [LoggerMessage(EventId = EventIds.InstanceRescheduling, Level = LogLevel.Information, Message = "Instance {Instance} leaves lost node {Host}; placing it again")]
        public static partial void Rescheduling(ILogger logger, string instance, string host);
    }
}
