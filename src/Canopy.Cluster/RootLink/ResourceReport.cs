using System.Text.Json.Nodes;
using Canopy.Cluster.Storage;
using Canopy.Core.Resources;

namespace Canopy.Cluster.RootLink;

/// <summary>The cluster's aggregate for the root: Core's aggregation over the active nodes' latest information.</summary>
internal static class ResourceReport
{
    public static JsonObject Build(IReadOnlyList<NodeRecord> nodes)
    {
        var active = nodes.Where(n => n.Active).ToList();
        var aggregate = ResourceAggregator.Aggregate(active.Select(ToResources).ToList());
        aggregate[ResourceKeys.ActiveNodes] = active.Count;
        return aggregate;
    }

    private static JsonObject ToResources(NodeRecord node)
    {
        var info = node.StaticInfo;
        var latest = node.Latest;
        var resources = new JsonObject
        {
            [ResourceKeys.CpuPercent] = latest?.CpuPercent ?? 0,
            [ResourceKeys.Vcpus] = latest is { Vcpus: > 0 } ? latest.Vcpus : info.Vcpus,
            [ResourceKeys.Memory] = latest?.Memory ?? info.MemoryTotal,
            [ResourceKeys.MemoryTotal] = latest is { MemoryTotal: > 0 } ? latest.MemoryTotal : info.MemoryTotal,
            [ResourceKeys.MemoryPercent] = latest?.MemoryPercent ?? 0,
            [ResourceKeys.Virtualization] = new JsonArray(
                (latest is { Virtualization.Count: > 0 } ? latest.Virtualization : info.Virtualization)
                .Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
            [ResourceKeys.Architecture] = latest is { Architecture.Length: > 0 } ? latest.Architecture : info.Architecture,
        };

        // Non-canonical resources (gpu_model, labels) travel too, the latest report winning; the aggregator sums, appends or flattens them.
        var canonical = resources.Select(p => p.Key).ToHashSet();
        foreach (var (key, value) in (info.Extra ?? []).Concat(latest?.Extra ?? []))
        {
            if (!canonical.Contains(key))
            {
                resources[key] = JsonNode.Parse(value.GetRawText());
            }
        }

        return resources;
    }
}
