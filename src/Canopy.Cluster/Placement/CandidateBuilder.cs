using System.Text.Json;
using Canopy.Cluster.Storage;
using Canopy.Core.Scheduling;
using Canopy.Core.States;

namespace Canopy.Cluster.Placement;

/// <summary>Turns the active nodes into Core's candidates, with what the instances already placed on them reserve.</summary>
internal static class CandidateBuilder
{
    public static IReadOnlyList<Candidate> Build(
        IEnumerable<NodeRecord> nodes, IReadOnlyList<InstanceRecord> instances, IReadOnlyDictionary<string, (double Vcpus, int MemoryMb)> requests)
    {
        var reserved = instances
            .Where(i => i.NodeId is not null && i.Status.IsPlacedOnNode())
            .GroupBy(i => i.NodeId!)
            .ToDictionary(
                g => g.Key,
                g => (Vcpus: g.Sum(i => requests.GetValueOrDefault(i.ServiceId).Vcpus),
                      MemoryMb: g.Sum(i => (long)requests.GetValueOrDefault(i.ServiceId).MemoryMb)));

        return nodes.Where(n => n.Active).Select(n => ToCandidate(n, reserved.GetValueOrDefault(n.Id))).ToList();
    }

    public static Candidate ToCandidate(NodeRecord node, (double Vcpus, long MemoryMb) reserved)
    {
        var info = node.StaticInfo;
        var latest = node.Latest;
        var extra = new Dictionary<string, JsonElement>();
        foreach (var (key, value) in (info.Extra ?? []).Concat(latest?.Extra ?? []))
        {
            extra[key] = value;
        }

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
            UnavailableRuntimes = latest?.UnavailableRuntimes ?? new Dictionary<string, string>(),
            PrivilegedRuntimes = latest?.PrivilegedRuntimes ?? [],
            Architectures = architecture.Length > 0 ? [architecture] : [],
            Location = GeoPoint.TryParse(info.Location),
            ActiveNodes = 1,
            Extra = extra,
            ReservedVcpus = reserved.Vcpus,
            ReservedMemoryMb = reserved.MemoryMb,
            Aliases = [node.Host, node.Id],
        };
    }
}
