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

    /// <summary>
    /// The aggregate with its live gauges coarsened (CPU % to 25 points, memory % to 5, available memory to 2 % of the total; also
    /// in the per-architecture parts): a change in it is worth a message to the root before the next heartbeat; jitter is not.
    /// The root places on reservations against totals, which change exactly, and the heartbeat brings the gauges every 5 s.
    /// </summary>
    public static string Fingerprint(JsonObject resources)
    {
        var coarse = resources.DeepClone().AsObject();
        Coarsen(coarse);
        return coarse.ToJsonString();
    }

    private static void Coarsen(JsonObject resources)
    {
        Round(resources, ResourceKeys.CpuPercent, 25);
        Round(resources, ResourceKeys.MemoryPercent, 5);
        Round(resources, ResourceKeys.Memory, Math.Max(64, (ResourceAggregator.AsNumber(resources[ResourceKeys.MemoryTotal]) ?? 0) / 50));
        foreach (var (_, value) in resources)
        {
            if (value is JsonObject part)
            {
                Coarsen(part);
            }
        }
    }

    private static void Round(JsonObject resources, string key, double step)
    {
        if (ResourceAggregator.AsNumber(resources[key]) is { } number)
        {
            resources[key] = Math.Round(number / step) * step;
        }
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

        if (latest?.PrivilegedRuntimes is { Count: > 0 } privileged)
        {
            resources[ResourceKeys.PrivilegedRuntimes] = new JsonArray(privileged.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        }

        if (latest?.UnavailableRuntimes is { Count: > 0 } unavailable)
        {
            // Named per node: at the root, the cluster is the candidate, and the reason must still say where.
            resources[ResourceKeys.UnavailableRuntimes] = new JsonObject(
                unavailable.Select(u => KeyValuePair.Create(u.Key, (JsonNode?)$"node {node.Host}: {u.Value}")));
        }

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
