using System.Text.Json;
using Canopy.Core.Scheduling;

namespace Canopy.Core.Descriptors;

/// <summary>The rules for a microservice's <c>constraints</c> and <c>connectivity</c>.</summary>
internal static class SlaConstraintRules
{
    public const string Direct = "direct";
    public const string Clusters = "clusters";
    public const string Geo = "geo";
    public const string Latency = "latency";
    public const string Addons = "addons";

    public static readonly IReadOnlyList<string> Types = [Direct, Clusters, Geo, Latency, Addons];

    public static void ValidateConstraints(JsonElement microservice, string path, SlaReader reader)
    {
        if (!reader.Array(microservice, path, "constraints", null, out var constraints))
        {
            return;
        }

        var index = 0;
        foreach (var constraint in constraints.EnumerateArray())
        {
            var itemPath = SlaReader.Index(SlaReader.Child(path, "constraints"), index++);
            if (reader.IsObject(constraint, itemPath, "a constraint"))
            {
                ValidateConstraint(constraint, itemPath, reader);
            }
        }
    }

    public static void ValidateConnectivity(JsonElement microservice, string path, SlaReader reader)
    {
        if (!reader.Array(microservice, path, "connectivity", null, out var connectivity))
        {
            return;
        }

        var index = 0;
        foreach (var link in connectivity.EnumerateArray())
        {
            var linkPath = SlaReader.Index(SlaReader.Child(path, "connectivity"), index++);
            if (!reader.IsObject(link, linkPath, "a connectivity entry"))
            {
                continue;
            }

            reader.String(link, linkPath, "target_microservice_id");
            if (!reader.Array(link, linkPath, "con_constraints", null, out var conConstraints))
            {
                continue;
            }

            var conIndex = 0;
            foreach (var constraint in conConstraints.EnumerateArray())
            {
                var constraintPath = SlaReader.Index(SlaReader.Child(linkPath, "con_constraints"), conIndex++);
                if (reader.IsObject(constraint, constraintPath, "a connectivity constraint"))
                {
                    reader.String(constraint, constraintPath, "type", "\"latency\"");
                    reader.Number(constraint, constraintPath, "threshold", 0);
                    reader.Number(constraint, constraintPath, "rigidness", 0);
                    reader.Number(constraint, constraintPath, "convergence_time", 0);
                }
            }
        }
    }

    private static void ValidateConstraint(JsonElement constraint, string path, SlaReader reader)
    {
        var type = reader.String(constraint, path, "type", "\"direct\"");
        var cluster = reader.String(constraint, path, "cluster");
        var node = reader.String(constraint, path, "node");
        reader.String(constraint, path, "area");
        var location = reader.String(constraint, path, "location");
        reader.Number(constraint, path, "rigidness", 0);
        reader.Number(constraint, path, "convergence_time", 0);
        var needs = reader.StringArray(constraint, path, "needs", type == Addons ? "[\"gpu\"]" : null);
        var allowed = reader.StringArray(constraint, path, "allowed", type == Clusters ? "[\"cluster1\", \"cluster2\"]" : null);
        var needsThreshold = type is Geo or Latency;
        reader.Number(constraint, path, "threshold", 0, exclusiveMin: true, requiredExample: needsThreshold ? "100" : null);

        switch (type)
        {
            case null:
                return;
            case Direct when IsBlankList(cluster) && IsBlankList(node) && ValidOrAbsent(constraint, "cluster") && ValidOrAbsent(constraint, "node"):
                reader.Error(path, "a direct constraint names a \"cluster\" and/or a \"node\" (several as \"n1;n2\"), e.g. {\"type\": \"direct\", \"cluster\": \"cluster1\"}");
                return;
            case Clusters when allowed is { Count: 0 }:
                reader.Error(SlaReader.Child(path, "allowed"), "must list at least one cluster name, e.g. [\"cluster1\"]");
                return;
            case Geo when !constraint.TryGetProperty("location", out _):
                reader.Error(SlaReader.Child(path, "location"), "is required for a geo constraint; add e.g. \"location\": \"48.1374,11.5755\" (latitude,longitude)");
                return;
            case Geo when location is not null && GeoPoint.TryParse(location) is null:
                reader.Error(SlaReader.Child(path, "location"),
                    $"\"{location}\" is not a location; write \"latitude,longitude\" in degrees, e.g. \"48.1374,11.5755\"");
                return;
            case Addons when needs is { Count: 0 }:
                reader.Warn(SlaReader.Child(path, "needs"), "is empty; this constraint does not restrict placement");
                return;
            case Latency:
                // Kept and checked, but no scheduler can evaluate it without latency measurements between nodes and users.
                reader.Warn(path, "latency constraints are accepted but not used for placement yet");
                return;
        }

        if (!Types.Contains(type))
        {
            reader.Error(SlaReader.Child(path, "type"), $"constraint type '{type}' is not known; use one of {string.Join(", ", Types)}");
        }
    }

    /// <summary>True when the field is absent or a string (so a wrong type is not reported twice).</summary>
    private static bool ValidOrAbsent(JsonElement obj, string name) =>
        !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.String;

    private static bool IsBlankList(string? names) =>
        names is null || names.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Length == 0;
}
