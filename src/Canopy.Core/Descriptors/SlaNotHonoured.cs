using System.Text.Json;

namespace Canopy.Core.Descriptors;

/// <summary>
/// Fields of Oakestra's SLA that Canopy accepts and keeps but does not act on. Each one set to something that would matter
/// (a GPU count above 0, a volume, <c>privileged: true</c>) earns a warning naming it, so a descriptor written for Oakestra
/// does not silently lose what it asked for. Zeros and empty values, which Oakestra's examples carry, stay quiet.
/// </summary>
internal static class SlaNotHonoured
{
    private static readonly (string Field, string Why)[] Counts =
    [
        ("vgpus", "Canopy attaches no GPUs and does not schedule on them"),
        ("vtpus", "Canopy attaches no TPUs and does not schedule on them"),
        ("storage", "no storage limit is applied"),
        ("bandwidth_in", "no bandwidth limit is applied"),
        ("bandwidth_out", "no bandwidth limit is applied"),
    ];

    private static readonly (string Field, string Why)[] Values =
    [
        ("privileged", "instances run privileged only on a node whose operator allows it (--allow-privileged, --exec-as-root); without one they wait unplaced"),
        ("volumes", "no volumes are mounted (Canopy has no CSI support)"),
        ("platform", "images are pulled for the node's own platform"),
        ("state", "the state file is not fetched"),
        ("added_files", "the files are not fetched"),
        ("sla_violation_strategy", "Canopy has no SLA violation handling"),
        ("target_node", "use a constraint {\"type\": \"direct\", \"node\": \"...\"} to pin a service to a node"),
        ("connectivity", "service-to-service constraints are not used for placement"),
    ];

    private static readonly (string Field, string Why)[] Addresses =
    [
        ("rr_ip_v6", "services get IPv4 addresses only"),
        ("closest_ip_v6", "services get IPv4 addresses only"),
        ("instances", "there are no per-instance addresses"),
    ];

    public static void Warn(JsonElement microservice, string path, SlaReader reader)
    {
        foreach (var (field, why) in Counts)
        {
            if (microservice.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number &&
                value.TryGetDouble(out var count) && count > 0)
            {
                NotHonoured(reader, SlaReader.Child(path, field), why);
            }
        }

        // For wasm and vm the runtime rules say why privileged is ignored (SlaMicroserviceRules); one warning is enough.
        var values = Virtualizations.IgnoresPrivileged(Virtualization(microservice)) ? Values.Where(v => v.Field != "privileged").ToArray() : Values;
        WarnSet(microservice, path, values, reader);
        if (microservice.TryGetProperty("addresses", out var addresses) && addresses.ValueKind == JsonValueKind.Object)
        {
            WarnSet(addresses, SlaReader.Child(path, "addresses"), Addresses, reader);
        }
    }

    private static string? Virtualization(JsonElement microservice) =>
        microservice.TryGetProperty("virtualization", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void WarnSet(JsonElement obj, string path, (string Field, string Why)[] fields, SlaReader reader)
    {
        foreach (var (field, why) in fields)
        {
            if (obj.TryGetProperty(field, out var value) && Matters(value))
            {
                NotHonoured(reader, SlaReader.Child(path, field), why);
            }
        }
    }

    private static void NotHonoured(SlaReader reader, string path, string why) =>
        reader.Warn(path, $"is accepted but not honoured: {why}");

    private static bool Matters(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.String => !string.IsNullOrWhiteSpace(value.GetString()),
        JsonValueKind.Array => value.GetArrayLength() > 0,
        JsonValueKind.Object => value.EnumerateObject().Any(),
        _ => false,
    };
}
