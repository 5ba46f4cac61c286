using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Core.Descriptors;
using Canopy.Core.Resources;
using Canopy.Core.Scheduling;
using Canopy.Root.Store;

namespace Canopy.Root.Placement;

/// <summary>A registered cluster as the root scheduler sees it: its last aggregate, whether it is active, what is reserved on it.</summary>
internal static class ClusterCandidates
{
    private static readonly HashSet<string> Canonical =
    [
        ResourceKeys.Vcpus, ResourceKeys.Memory, ResourceKeys.MemoryTotal, ResourceKeys.CpuPercent, ResourceKeys.MemoryPercent,
        ResourceKeys.Virtualization, ResourceKeys.Architecture, ResourceKeys.ActiveNodes, ResourceKeys.UnavailableRuntimes,
        ResourceKeys.PrivilegedRuntimes,
    ];

    public static Candidate From(ClusterRecord cluster, bool active, double reservedVcpus, long reservedMemoryMb)
    {
        var resources = ParseObject(cluster.Resources);
        var available = (long)(Number(resources, ResourceKeys.Memory) ?? 0);
        return new Candidate
        {
            Id = cluster.Id,
            Name = cluster.Name,
            Active = active,
            Vcpus = Number(resources, ResourceKeys.Vcpus) ?? 0,

            // Oakestra's clusters report only "memory" (available); Canopy's add the total.
            MemoryMb = (long)(Number(resources, ResourceKeys.MemoryTotal) ?? available),
            MemoryAvailableMb = available,
            CpuPercent = Number(resources, ResourceKeys.CpuPercent) ?? 0,
            MemoryPercent = Number(resources, ResourceKeys.MemoryPercent) ?? 0,
            Virtualizations = Strings(resources, ResourceKeys.Virtualization).Select(v => Virtualizations.Normalize(v) ?? v).Distinct().ToList(),
            UnavailableRuntimes = Reasons(resources),
            PrivilegedRuntimes = Strings(resources, ResourceKeys.PrivilegedRuntimes).Select(v => Virtualizations.Normalize(v) ?? v).Distinct().ToList(),
            Architectures = Strings(resources, ResourceKeys.Architecture).Distinct().ToList(),
            Location = GeoPoint.TryParse(cluster.Location),
            ActiveNodes = (int)(Number(resources, ResourceKeys.ActiveNodes) ?? 0),
            Extra = resources.Where(p => !Canonical.Contains(p.Key))
                .ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value)),
            ReservedVcpus = reservedVcpus,
            ReservedMemoryMb = reservedMemoryMb,
            Aliases = [cluster.Name],
        };
    }

    public static JsonObject ParseObject(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    public static double? Number(JsonObject o, string key) => o[key] switch
    {
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) &&
                         double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    /// <summary>The cluster's <see cref="ResourceKeys.UnavailableRuntimes"/>: runtime → why, keyed by the canonical runtime name.</summary>
    private static Dictionary<string, string> Reasons(JsonObject o)
    {
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        if (o[ResourceKeys.UnavailableRuntimes] is JsonObject runtimes)
        {
            foreach (var (runtime, why) in runtimes)
            {
                if (why is JsonValue value && value.TryGetValue<string>(out var text))
                {
                    reasons[Virtualizations.Normalize(runtime) ?? runtime] = text;
                }
            }
        }

        return reasons;
    }

    /// <summary>An array of strings, or one string (a single node reports one architecture).</summary>
    public static IEnumerable<string> Strings(JsonObject o, string key) => o[key] switch
    {
        JsonArray a => a.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s : null).OfType<string>(),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };
}
