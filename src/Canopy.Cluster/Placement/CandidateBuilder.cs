using System.Collections.ObjectModel;
using System.Runtime.InteropServices;
using System.Text.Json;
using Canopy.Cluster.Storage;
using Canopy.Core.Scheduling;
using Canopy.Core.States;

namespace Canopy.Cluster.Placement;

/// <summary>Turns the active nodes into Core's candidates, with what the instances already placed on them reserve.</summary>
internal static class CandidateBuilder
{

    /// <remarks>
    /// Runs before every placement over every node and instance of the cluster (5,000 nodes and more), so it is written as plain
    /// loops: no grouping, and no copy of a node's labels unless both its registration and its last report have some.
    /// </remarks>
    public static IReadOnlyList<Candidate> Build(
        IEnumerable<NodeRecord> nodes, IReadOnlyList<InstanceRecord> instances, IReadOnlyDictionary<string, (double Vcpus, int MemoryMb)> requests,
        double cpuOvercommit = 1.0)
    {
        // Summed in the instances' order, as the grouping this replaces did, so the totals are the same to the last bit.
        var reserved = new Dictionary<string, (double Vcpus, long MemoryMb)>();
        foreach (var instance in instances)
        {
            if (instance.NodeId is { } nodeId && instance.Status.IsPlacedOnNode())
            {
                var request = requests.GetValueOrDefault(instance.ServiceId);
                ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(reserved, nodeId, out _);
                sum = (sum.Vcpus + request.Vcpus, sum.MemoryMb + request.MemoryMb);
            }
        }

        var candidates = new List<Candidate>();
        foreach (var node in nodes)
        {
            if (node.Active)
            {
                candidates.Add(ToCandidate(node, reserved.GetValueOrDefault(node.Id), cpuOvercommit));
            }
        }

        return candidates;
    }

    public static Candidate ToCandidate(NodeRecord node, (double Vcpus, long MemoryMb) reserved, double cpuOvercommit = 1.0)
    {
        var info = node.StaticInfo;
        var latest = node.Latest;
        var architecture = latest is { Architecture.Length: > 0 } ? latest.Architecture : info.Architecture;
        return new Candidate
        {
            Id = node.Id,
            Name = node.Host,
            Active = node.Active,
            Vcpus = latest is { Vcpus: > 0 } ? latest.Vcpus : info.Vcpus,
            MemoryMb = latest is { MemoryTotal: > 0 } ? latest.MemoryTotal : info.MemoryTotal,
            MemoryAvailableMb = latest?.Memory ?? info.MemoryTotal,
            CpuPercent = latest?.CpuPercent ?? 0,
            MemoryPercent = latest?.MemoryPercent ?? 0,
            Virtualizations = latest is { Virtualization.Count: > 0 } ? latest.Virtualization : info.Virtualization,
            UnavailableRuntimes = latest?.UnavailableRuntimes ?? ReadOnlyDictionary<string, string>.Empty,
            PrivilegedRuntimes = latest?.PrivilegedRuntimes ?? [],
            Architectures = architecture.Length > 0 ? [architecture] : [],
            Location = GeoPoint.TryParse(info.Location),
            ActiveNodes = 1,
            Extra = Labels(info.Extra, latest?.Extra),
            ReservedVcpus = reserved.Vcpus,
            ReservedMemoryMb = reserved.MemoryMb,
            Aliases = [node.Host, node.Id],
            CpuOvercommit = cpuOvercommit,
        };
    }

    /// <summary>The registration's labels, overridden by the last report's.</summary>
    private static IReadOnlyDictionary<string, JsonElement> Labels(Dictionary<string, JsonElement>? registered, Dictionary<string, JsonElement>? reported)
    {
        if (reported is not { Count: > 0 })
        {
            return registered is null ? ReadOnlyDictionary<string, JsonElement>.Empty : registered;
        }

        if (registered is not { Count: > 0 })
        {
            return reported;
        }

        var labels = new Dictionary<string, JsonElement>(registered);
        foreach (var (key, value) in reported)
        {
            labels[key] = value;
        }

        return labels;
    }
}
