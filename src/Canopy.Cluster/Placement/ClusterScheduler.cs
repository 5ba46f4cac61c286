using Canopy.Cluster.Instances;
using Canopy.Cluster.Nodes;
using Canopy.Cluster.Storage;
using Canopy.Core.Descriptors;
using Canopy.Core.Scheduling;
using Canopy.Core.States;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Placement;

/// <summary>
/// Places one instance on a worker with Core's placement and the configured algorithm. Callers hold the <see cref="ClusterGate"/>,
/// so decisions happen one at a time and each sees the reservations of the ones before it.
/// </summary>
internal sealed partial class ClusterScheduler(
    IClusterStore store, InstanceTracker tracker, NodeCommands commands, ClusterOptions options, ILogger<ClusterScheduler> logger)
{
    private readonly Lazy<IPlacementAlgorithm> _algorithm = new(() => PlacementAlgorithms.Get(options.SchedulingAlgorithm));
    private long _sequence;

    /// <summary>Statuses from which an instance may be placed; others first go back to CLUSTER_SCHEDULED.</summary>
    public static bool IsWaitingForPlacement(InstanceStatus status) =>
        status is InstanceStatus.ClusterScheduled or InstanceStatus.NoWorkerCapacity or InstanceStatus.NoQualifiedWorkerFound;

    public async Task<InstanceRecord> PlaceAsync(InstanceRecord instance, CancellationToken ct)
    {
        var before = instance;
        if (!IsWaitingForPlacement(instance.Status))
        {
            instance = tracker.Transition(instance, InstanceStatus.ClusterScheduled, instance.Detail, "reschedule") ?? instance;
        }

        instance = instance with { NodeId = null, NodeName = null, HostIp = null };
        var spec = await store.GetServiceAsync(instance.ServiceId, ct);
        if (spec is null)
        {
            return await FailAsync(before, instance, InstanceStatus.NoQualifiedWorkerFound, "the cluster has no spec for this service", ct);
        }

        var nodes = await store.ListNodesAsync(ct);
        var others = (await store.ListInstancesAsync(ct))
            .Where(i => !(i.ServiceId == instance.ServiceId && i.InstanceNumber == instance.InstanceNumber))
            .ToList();
        var requests = new Dictionary<string, (double, int)>();
        foreach (var serviceId in others.Select(i => i.ServiceId).Distinct())
        {
            var other = serviceId == spec.ServiceId ? spec : await store.GetServiceAsync(serviceId, ct);
            requests[serviceId] = (other?.Vcpus ?? 0, other?.Memory ?? 0);
        }

        var candidates = CandidateBuilder.Build(nodes, others, requests, options.CpuOvercommit);
        var request = new PlacementRequest
        {
            ServiceId = spec.ServiceId,
            InstanceNumber = instance.InstanceNumber,
            Vcpus = spec.Vcpus,
            MemoryMb = spec.Memory,
            Virtualization = Virtualizations.Normalize(spec.Virtualization) ?? spec.Virtualization,
            Constraints = spec.Constraints,
            Privileged = spec.Privileged,
        };
        var result = Core.Scheduling.Placement.Place(request, candidates, _algorithm.Value, PlacementTier.Cluster, _sequence++);
        if (result.Chosen is not { } chosen)
        {
            return await FailAsync(before, instance, result.Failure ?? InstanceStatus.NoWorkerCapacity, result.Detail, ct);
        }

        var node = nodes.First(n => n.Id == chosen.Id);
        var placed = tracker.Transition(instance, InstanceStatus.NodeScheduled, $"placed on node {node.Host}", "scheduler");
        if (placed is null)
        {
            return before;
        }

        placed = placed with { NodeId = node.Id, NodeName = node.Host, HostIp = node.Ip ?? node.StaticInfo.Ip, ExitCode = null, Pid = null };
        await tracker.SaveAsync(before, placed, ct);
        commands.Deploy(node.Id, spec, placed.InstanceNumber);
        Log.Placed(logger, placed.ToString(), node.Host, node.Id);
        return placed;
    }

    private async Task<InstanceRecord> FailAsync(
        InstanceRecord before, InstanceRecord instance, InstanceStatus failure, string detail, CancellationToken ct)
    {
        var failed = tracker.Transition(instance, failure, detail, "scheduler");
        if (failed is null)
        {
            return before;
        }

        if (before.Status != failed.Status || before.Detail != failed.Detail)
        {
            Log.NotPlaced(logger, failed.ToString(), failure.ToWireName(), detail);
        }

        await tracker.SaveAsync(before, failed, ct);
        return failed;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.InstancePlaced, Level = LogLevel.Information, Message = "Instance {Instance} placed on node {Node} ({NodeId})")]
        public static partial void Placed(ILogger logger, string instance, string node, string nodeId);

        [LoggerMessage(EventId = EventIds.InstanceNotPlaced, Level = LogLevel.Warning, Message = "Instance {Instance} not placed: {Status}: {Detail}; retrying")]
        public static partial void NotPlaced(ILogger logger, string instance, string status, string detail);
    }
}
