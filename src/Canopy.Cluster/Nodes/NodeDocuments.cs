using System.Text.Json;
using Canopy.Cluster.Storage;
using Canopy.Contracts.Api;
using Canopy.Core.States;

namespace Canopy.Cluster.Nodes;

internal static class NodeDocuments
{
    public static IReadOnlyList<NodeDocument> Build(
        IReadOnlyList<NodeRecord> nodes, IReadOnlyList<InstanceRecord> instances, string? clusterId, string clusterName)
    {
        var counts = instances
            .Where(i => i.NodeId is not null && !i.Status.IsTerminal())
            .GroupBy(i => i.NodeId!)
            .ToDictionary(g => g.Key, g => g.Count());
        return nodes.Select(n => Build(n, counts.GetValueOrDefault(n.Id), clusterId, clusterName)).ToList();
    }

    private static NodeDocument Build(NodeRecord node, int instances, string? clusterId, string clusterName)
    {
        var info = node.StaticInfo;
        var latest = node.Latest;
        var extra = new Dictionary<string, JsonElement>(info.Extra ?? []);
        foreach (var (key, value) in latest?.Extra ?? [])
        {
            extra[key] = value;
        }

        return new NodeDocument
        {
            Id = node.Id,
            Name = node.Host,
            ClusterId = clusterId,
            ClusterName = clusterName,
            Ip = node.Ip,
            Active = node.Active,
            Architecture = latest is { Architecture.Length: > 0 } ? latest.Architecture : info.Architecture,
            Vcpus = latest is { Vcpus: > 0 } ? latest.Vcpus : info.Vcpus,
            MemoryTotal = latest is { MemoryTotal: > 0 } ? latest.MemoryTotal : info.MemoryTotal,
            Memory = latest?.Memory ?? 0,
            CpuPercent = latest?.CpuPercent ?? 0,
            MemoryPercent = latest?.MemoryPercent ?? 0,
            Virtualization = latest is { Virtualization.Count: > 0 } ? latest.Virtualization : info.Virtualization,
            UnavailableRuntimes = latest?.UnavailableRuntimes,
            PrivilegedRuntimes = latest?.PrivilegedRuntimes,
            Location = info.Location,
            LastSeen = node.LastSeen,
            ClockSkewSeconds = node.ClockSkew() is { } skew ? Math.Round(skew.TotalSeconds, 1) + 0.0 : null,
            Instances = instances,
            Subnet = node.Subnet,
            LatencyMs = latest?.Latency,
            Extra = extra.Count > 0 ? extra : null,
        };
    }
}
