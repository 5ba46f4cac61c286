using Canopy.Cluster.Instances;
using Canopy.Cluster.Nodes;
using Canopy.Cluster.Storage;
using Canopy.Contracts;
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
    IClusterStore store, InstanceTracker tracker, NodeCommands commands, ClusterOptions options, Metrics.ClusterMetrics metrics,
    ILogger<ClusterScheduler> logger)
{
    private readonly Lazy<IPlacementAlgorithm> _algorithm = new(() => PlacementAlgorithms.Get(options.SchedulingAlgorithm));
    private long _sequence;

    /// <summary>Statuses from which an instance may be placed; others first go back to CLUSTER_SCHEDULED.</summary>
    public static bool IsWaitingForPlacement(InstanceStatus status) =>
        status is InstanceStatus.ClusterScheduled or InstanceStatus.NoWorkerCapacity or InstanceStatus.NoQualifiedWorkerFound;

    public async Task<InstanceRecord> PlaceAsync(InstanceRecord instance, CancellationToken ct) => (await PlaceAllAsync([instance], ct))[0];

    /// <summary>
    /// Places <paramref name="instances"/> in one pass, in their order: one candidate list, each decision reserving on the chosen
    /// candidate what the next ones see, one store transaction, then the deploy commands. Returns each instance as it is now.
    /// </summary>
    public async Task<IReadOnlyList<InstanceRecord>> PlaceAllAsync(IReadOnlyList<InstanceRecord> instances, CancellationToken ct)
    {
        var placing = instances.Select(i => (i.ServiceId, i.InstanceNumber)).ToHashSet();
        var nodes = await store.ListNodesAsync(ct);
        var others = (await store.ListInstancesAsync(ct)).Where(i => !placing.Contains((i.ServiceId, i.InstanceNumber))).ToList();
        var specs = new Dictionary<string, ServiceSpec?>();
        foreach (var serviceId in others.Select(i => i.ServiceId).Concat(instances.Select(i => i.ServiceId)).Distinct())
        {
            specs[serviceId] = await store.GetServiceAsync(serviceId, ct);
        }

        var requests = specs.ToDictionary(p => p.Key, p => (p.Value?.Vcpus ?? 0, p.Value?.Memory ?? 0));
        var candidates = CandidateBuilder.Build(nodes, others, requests, options.CpuOvercommit).ToList();
        var nodesById = nodes.ToDictionary(n => n.Id);

        var results = new InstanceRecord[instances.Count];
        var changes = new List<(InstanceRecord? Before, InstanceRecord After)>();
        var deploys = new List<(string NodeId, ServiceSpec Spec, int Number)>();
        for (var k = 0; k < instances.Count; k++)
        {
            var before = instances[k];
            var decided = Decide(before, specs[before.ServiceId], candidates, nodesById);
            results[k] = decided.After ?? before;
            if (decided.After is not { } after)
            {
                continue;
            }

            changes.Add((before, after));
            if (decided.Deploy is { } deploy)
            {
                deploys.Add(deploy);
            }
            else if (before.Status != after.Status || before.Detail != after.Detail)
            {
                Log.NotPlaced(logger, after.ToString(), after.Status.ToWireName(), after.Detail ?? "");
                metrics.NotPlaced(after.Status.ToWireName());
            }
        }

        if (changes.Count > 0)
        {
            await tracker.SaveAllAsync(changes, ct);
        }

        foreach (var (nodeId, spec, number) in deploys)
        {
            commands.Deploy(nodeId, spec, number);
            Log.Placed(logger, $"{spec.ServiceId}.{number}", nodesById[nodeId].Host, nodeId);
            metrics.Placed(nodesById[nodeId].Host);
        }

        return results;
    }

    /// <summary>
    /// One decision against <paramref name="candidates"/> (the chosen one's reservation grows by the request): the record to store
    /// (null when the transition table forbids it) and the deploy to send once it is stored.
    /// </summary>
    private (InstanceRecord? After, (string, ServiceSpec, int)? Deploy) Decide(
        InstanceRecord before, ServiceSpec? spec, List<Candidate> candidates, Dictionary<string, NodeRecord> nodes)
    {
        var instance = before;
        if (!IsWaitingForPlacement(instance.Status))
        {
            instance = tracker.Transition(instance, InstanceStatus.ClusterScheduled, instance.Detail, "reschedule") ?? instance;
        }

        instance = instance with { NodeId = null, NodeName = null, HostIp = null };
        if (spec is null)
        {
            return (Fail(instance, InstanceStatus.NoQualifiedWorkerFound, "the cluster has no spec for this service"), null);
        }

        var request = new PlacementRequest
        {
            ServiceId = spec.ServiceId,
            InstanceNumber = instance.InstanceNumber,
            Vcpus = spec.Vcpus,
            MemoryMb = spec.Memory,
            Virtualization = Virtualizations.Normalize(spec.Virtualization) ?? spec.Virtualization,
            Architectures = spec.Arch,
            Constraints = spec.Constraints,
            Privileged = spec.Privileged && !Virtualizations.IgnoresPrivileged(spec.Virtualization),
        };
        var result = Core.Scheduling.Placement.Place(request, candidates, _algorithm.Value, PlacementTier.Cluster, _sequence++);
        if (result.Chosen is not { } chosen)
        {
            return (Fail(instance, result.Failure ?? InstanceStatus.NoWorkerCapacity, result.Detail), null);
        }

        var node = nodes[chosen.Id];
        var placed = tracker.Transition(instance, InstanceStatus.NodeScheduled, $"placed on node {node.Host}", "scheduler");
        if (placed is null)
        {
            return (null, null);
        }

        var index = candidates.FindIndex(c => c.Id == chosen.Id);
        candidates[index] = candidates[index] with
        {
            ReservedVcpus = candidates[index].ReservedVcpus + spec.Vcpus,
            ReservedMemoryMb = candidates[index].ReservedMemoryMb + spec.Memory,
        };
        placed = placed with { NodeId = node.Id, NodeName = node.Host, HostIp = node.Ip ?? node.StaticInfo.Ip, ExitCode = null, Pid = null };
        return (placed, (node.Id, spec, placed.InstanceNumber));
    }

    private InstanceRecord? Fail(InstanceRecord instance, InstanceStatus failure, string detail) =>
        tracker.Transition(instance, failure, detail, "scheduler");

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.InstancePlaced, Level = LogLevel.Information, Message = "Instance {Instance} placed on node {Node} ({NodeId})")]
        public static partial void Placed(ILogger logger, string instance, string node, string nodeId);

        [LoggerMessage(EventId = EventIds.InstanceNotPlaced, Level = LogLevel.Warning, Message = "Instance {Instance} not placed: {Status}: {Detail}; retrying")]
        public static partial void NotPlaced(ILogger logger, string instance, string status, string detail);
    }
}
