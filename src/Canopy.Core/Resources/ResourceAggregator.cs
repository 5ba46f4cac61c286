using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Canopy.Core.Resources;

/// <summary>
/// Folds the resources of a cluster's active workers into the one record the cluster reports to the root
/// (Oakestra's resource-management rules).
/// </summary>
/// <remarks>
/// Per key: <c>*_percent</c>/<c>*_average</c> → mean of the non-zero values; <c>vcpus, vgpus, memory, memory_total, vram</c> → sum;
/// <c>virtualization, supported_addons, gpu_drivers, architecture</c> → concatenated list; <c>csi_drivers</c> → list without duplicates;
/// <c>unavailable_runtimes</c> (objects of runtime → why) → one object, the distinct reasons per runtime joined with "; ";
/// identity keys (<see cref="ExcludedKeys"/>) are dropped; <c>active_nodes</c> = number of workers; any other key: numbers summed,
/// otherwise a flattened list of its scalars (objects ignored). Plus <c>aggregation_per_architecture</c>: the same per worker architecture.
/// Keys come out sorted (<c>aggregation_per_architecture</c> last), so the same workers always give byte-identical records.
/// </remarks>
public static class ResourceAggregator
{
    public const string PerArchitecture = "aggregation_per_architecture";

    /// <summary>The architecture group of workers that do not report one.</summary>
    public const string UnknownArchitecture = "unknown";

    public static readonly IReadOnlySet<string> ExcludedKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "_id", "id", "ip", "port", "name", "host", "candidate_name", "candidate_location", "location", "timestamp",
    };

    public static readonly IReadOnlySet<string> SummedKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        ResourceKeys.Vcpus, ResourceKeys.Vgpus, ResourceKeys.Memory, ResourceKeys.MemoryTotal, ResourceKeys.Vram,
    };

    public static readonly IReadOnlySet<string> ConcatenatedKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        ResourceKeys.Virtualization, ResourceKeys.SupportedAddons, "gpu_drivers", ResourceKeys.Architecture, ResourceKeys.PrivilegedRuntimes,
    };

    public static JsonObject Aggregate(IEnumerable<JsonObject> workers)
    {
        var list = workers.ToList();
        var result = AggregateGroup(list);

        var perArchitecture = new JsonObject();
        foreach (var group in list.GroupBy(ArchitectureOf).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            perArchitecture[group.Key] = AggregateGroup(group.ToList());
        }

        result[PerArchitecture] = perArchitecture;
        return result;
    }

    private static JsonObject AggregateGroup(IReadOnlyList<JsonObject> workers)
    {
        var keys = workers
            .SelectMany(w => w.Select(p => p.Key))
            .Where(k => !ExcludedKeys.Contains(k) && k is not ResourceKeys.ActiveNodes and not PerArchitecture)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

        var result = new JsonObject();
        foreach (var key in keys)
        {
            var values = workers
                .Select(w => w.TryGetPropertyValue(key, out var v) ? v : null)
                .Where(v => v is not null)
                .Select(v => v!)
                .ToList();

            if (AggregateKey(key, values) is { } aggregated)
            {
                result[key] = aggregated;
            }
        }

        result[ResourceKeys.ActiveNodes] = workers.Count;
        return Sorted(result);
    }

    private static JsonNode? AggregateKey(string key, IReadOnlyList<JsonNode> values)
    {
        if (key.EndsWith("_percent", StringComparison.Ordinal) || key.EndsWith("_average", StringComparison.Ordinal))
        {
            // Oakestra's rule: a worker that reports 0 has no reading yet, so it must not pull the mean down.
            var readings = values.Select(AsNumber).Where(n => n is not null and not 0).Select(n => n!.Value).ToList();
            return readings.Count == 0 ? 0.0 : readings.Average();
        }

        if (SummedKeys.Contains(key))
        {
            return Sum(values.Where(v => AsNumber(v) is not null).ToList());
        }

        if (ConcatenatedKeys.Contains(key))
        {
            return new JsonArray(Flatten(values, keepObjects: false).ToArray());
        }

        if (key == ResourceKeys.UnavailableRuntimes)
        {
            return MergeReasons(values);
        }

        if (key == ResourceKeys.CsiDrivers)
        {
            // Drivers may come as names or as objects; the same driver on two workers is one capability of the cluster.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            return new JsonArray(Flatten(values, keepObjects: true).Where(n => seen.Add(n.ToJsonString())).ToArray());
        }

        if (values.Count > 0 && values.All(v => AsNumber(v) is not null))
        {
            return Sum(values);
        }

        var items = Flatten(values, keepObjects: false).ToArray();
        return items.Length == 0 && values.All(v => v is JsonObject) ? null : new JsonArray(items);
    }

    /// <summary>Per runtime, every distinct reason a worker gave, in worker order; null when no worker gave any.</summary>
    private static JsonObject? MergeReasons(IReadOnlyList<JsonNode> values)
    {
        var reasons = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (runtime, reason) in values.OfType<JsonObject>().SelectMany(o => o))
        {
            if (reason is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } text)
            {
                var list = reasons.TryGetValue(runtime, out var known) ? known : reasons[runtime] = [];
                if (!list.Contains(text))
                {
                    list.Add(text);
                }
            }
        }

        return reasons.Count == 0 ? null : new JsonObject(reasons.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)string.Join("; ", r.Value))));
    }

    /// <summary>Whole numbers stay whole (memory in MB must not become 300.0 for a reader expecting an integer).</summary>
    private static JsonNode Sum(IReadOnlyList<JsonNode> values)
    {
        if (values.All(IsWholeNumber))
        {
            return values.Sum(v => long.Parse(v.ToJsonString(), CultureInfo.InvariantCulture));
        }

        return values.Sum(v => AsNumber(v) ?? 0);
    }

    /// <summary>Arrays are opened (recursively), scalars kept, nulls dropped, objects kept only when asked; every item is a copy.</summary>
    private static IEnumerable<JsonNode> Flatten(IEnumerable<JsonNode?> values, bool keepObjects)
    {
        foreach (var value in values)
        {
            switch (value)
            {
                case null:
                    break;
                case JsonArray array:
                    foreach (var item in Flatten(array, keepObjects))
                    {
                        yield return item;
                    }

                    break;
                case JsonObject when !keepObjects:
                    break;
                default:
                    if (value.GetValueKind() != JsonValueKind.Null)
                    {
                        yield return value.DeepClone();
                    }

                    break;
            }
        }
    }

    /// <summary>A JSON number as a double, whatever CLR type an in-memory value was made from (long, int, double); else null.</summary>
    public static double? AsNumber(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number &&
        double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    private static bool IsWholeNumber(JsonNode node) =>
        AsNumber(node) is not null && long.TryParse(node.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    /// <summary>The worker's architecture group; a list reports its first entry (a node has one architecture).</summary>
    private static string ArchitectureOf(JsonObject worker)
    {
        var node = worker.TryGetPropertyValue(ResourceKeys.Architecture, out var a) ? a : null;
        if (node is JsonArray array)
        {
            node = array.FirstOrDefault(n => n is JsonValue);
        }

        return node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } arch
            ? arch
            : UnknownArchitecture;
    }

    private static JsonObject Sorted(JsonObject source)
    {
        var sorted = new JsonObject();
        foreach (var key in source.Select(p => p.Key).Order(StringComparer.Ordinal).ToList())
        {
            var value = source[key];
            source.Remove(key);
            sorted[key] = value;
        }

        return sorted;
    }
}
