using System.Text.Json;
using System.Text.Json.Serialization;

namespace Canopy.Core.Descriptors;

/// <summary>
/// Reads an SLA v2.0 JSON document and validates it with Oakestra's rules, reporting every problem with its JSON path.
/// </summary>
/// <remarks>
/// The raw JSON is checked first (a <see cref="JsonDocument"/>), because the serializer stops at the first wrong type
/// and cannot say where; only a document without errors is deserialized into <see cref="SlaDocument"/>.
/// </remarks>
public static class SlaParser
{
    public const string SupportedVersion = "v2.0";

    /// <summary>Exact field names (as Oakestra's jsonschema), strict numbers; unknown fields land in the Extra dictionaries.</summary>
    internal static JsonSerializerOptions SerializerOptions { get; } = new()
    {
        PropertyNameCaseInsensitive = false,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static SlaParseResult Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return new SlaParseResult(null, [new SlaProblem("", "the descriptor is empty; send an SLA v2.0 JSON object")], []);
        }

        JsonDocument parsed;
        try
        {
            // A byte-order mark survives some editors and HTTP clients as a leading U+FEFF; it is not part of the JSON.
            parsed = JsonDocument.Parse(json.TrimStart('\uFEFF'));
        }
        catch (JsonException ex)
        {
            return new SlaParseResult(null, [new SlaProblem("", SyntaxMessage(ex))], []);
        }

        using (parsed)
        {
            var reader = new SlaReader();
            ValidateDocument(parsed.RootElement, reader);
            if (reader.Errors.Count > 0)
            {
                return new SlaParseResult(null, reader.Errors, reader.Warnings);
            }

            try
            {
                var document = parsed.RootElement.Deserialize<SlaDocument>(SerializerOptions);
                return document is null
                    ? new SlaParseResult(null, [new SlaProblem("", "the descriptor is null; send an SLA v2.0 JSON object")], reader.Warnings)
                    : new SlaParseResult(document, [], reader.Warnings);
            }
            catch (JsonException ex)
            {
                // Validation should have caught every type mismatch; if one slips through, it still becomes a problem, not a crash.
                return new SlaParseResult(null, [new SlaProblem(ex.Path?.TrimStart('$', '.') ?? "", $"cannot be read: {ex.Message}")], reader.Warnings);
            }
        }
    }

    /// <summary>
    /// Validates and reads one microservice (e.g. the body of a service update), reporting paths under <paramref name="path"/>.
    /// </summary>
    public static SlaMicroserviceParseResult ParseMicroservice(JsonElement element, string path = "")
    {
        var reader = new SlaReader();
        if (reader.IsObject(element, path, "a microservice"))
        {
            SlaMicroserviceRules.Validate(element, path, reader);
        }

        if (reader.Errors.Count > 0)
        {
            return new SlaMicroserviceParseResult(null, reader.Errors, reader.Warnings);
        }

        try
        {
            return new SlaMicroserviceParseResult(element.Deserialize<SlaMicroservice>(SerializerOptions), [], reader.Warnings);
        }
        catch (JsonException ex)
        {
            return new SlaMicroserviceParseResult(null, [new SlaProblem(path, $"cannot be read: {ex.Message}")], reader.Warnings);
        }
    }

    private static void ValidateDocument(JsonElement root, SlaReader reader)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            reader.Error("", $"the descriptor must be a JSON object with sla_version, customerID and applications, got {SlaReader.Describe(root)}");
            return;
        }

        ValidateVersion(root, reader);
        reader.String(root, "", "customerID", "\"Admin\"");
        reader.StringArray(root, "", "args");
        reader.CheckFields(root, "", SlaFields.Document);

        if (!reader.Array(root, "", "applications", "[{ \"application_name\": \"demo\", ... }]", out var applications))
        {
            return;
        }

        if (applications.GetArrayLength() == 0)
        {
            reader.Warn("applications", "is empty; the descriptor creates nothing");
        }

        var seen = new Dictionary<(string, string), int>();
        var index = 0;
        foreach (var application in applications.EnumerateArray())
        {
            var path = SlaReader.Index("applications", index);
            if (reader.IsObject(application, path, "an application"))
            {
                var key = ValidateApplication(application, path, reader);
                if (key is { } k && !seen.TryAdd(k, index))
                {
                    reader.Error(SlaReader.Child(path, "application_name"),
                        $"application \"{k.Item1}\" in namespace \"{k.Item2}\" is already defined by applications[{seen[k]}]; give each application its own name");
                }
            }

            index++;
        }
    }

    private static void ValidateVersion(JsonElement root, SlaReader reader)
    {
        if (!root.TryGetProperty("sla_version", out _) && root.TryGetProperty("api_version", out _))
        {
            // Oakestra's pre-v2 descriptors used api_version; say so rather than only "missing".
            reader.Error("sla_version", "is required; this descriptor uses \"api_version\", which SLA v2.0 does not read: add \"sla_version\": \"v2.0\"");
            return;
        }

        var version = reader.String(root, "", "sla_version", "\"v2.0\"");
        if (version is null || version == SupportedVersion)
        {
            return;
        }

        reader.Error("sla_version", version.Trim() == "v1.0"
            ? "\"v1.0\" descriptors are not supported, only v2.0 is; convert it to SLA v2.0 and set \"sla_version\": \"v2.0\""
            : $"\"{version}\" is not a supported version; only v2.0 is supported: set \"sla_version\": \"v2.0\"");
    }

    /// <summary>Returns the application's (name, namespace) when both are valid, for the duplicate check.</summary>
    private static (string, string)? ValidateApplication(JsonElement application, string path, SlaReader reader)
    {
        reader.String(application, path, "applicationID");
        reader.String(application, path, "application_desc");
        var name = ValidName(application, path, "application_name", "\"myapp\"", reader);
        var ns = ValidName(application, path, "application_namespace", "\"default\"", reader);
        reader.CheckFields(application, path, SlaFields.Application);

        if (!application.TryGetProperty("microservices", out _))
        {
            // Oakestra accepts an application without services (its sla_correct_4); services can be added later.
            reader.Warn(SlaReader.Child(path, "microservices"), "is missing; the application is created without services");
        }
        else if (reader.Array(application, path, "microservices", null, out var microservices))
        {
            ValidateMicroservices(microservices, SlaReader.Child(path, "microservices"), reader);
        }

        return name is not null && ns is not null ? (name, ns) : null;
    }

    private static void ValidateMicroservices(JsonElement microservices, string path, SlaReader reader)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var microservice in microservices.EnumerateArray())
        {
            var itemPath = SlaReader.Index(path, index);
            if (reader.IsObject(microservice, itemPath, "a microservice"))
            {
                var name = SlaMicroserviceRules.Validate(microservice, itemPath, reader);
                if (name is not null && !seen.TryAdd(name, index))
                {
                    reader.Error(SlaReader.Child(itemPath, "microservice_name"),
                        $"\"{name}\" is already used by microservices[{seen[name]}] of this application; give each microservice its own name");
                }
            }

            index++;
        }
    }

    /// <summary>A required name field that must match <see cref="SlaNames.Pattern"/>; the value when it does.</summary>
    internal static string? ValidName(JsonElement obj, string path, string field, string example, SlaReader reader)
    {
        var value = reader.String(obj, path, field, example);
        if (value is null)
        {
            return null;
        }

        if (SlaNames.Problem(value) is { } problem)
        {
            reader.Error(SlaReader.Child(path, field), problem);
            return null;
        }

        return value;
    }

    private static string SyntaxMessage(JsonException ex)
    {
        // The exception text ends with its own 0-based "LineNumber: | BytePositionInLine:"; people count from 1.
        var text = ex.Message;
        var cut = text.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0)
        {
            text = text[..cut];
        }

        var line = (ex.LineNumber ?? 0) + 1;
        var position = (ex.BytePositionInLine ?? 0) + 1;
        return $"the descriptor is not valid JSON (line {line}, position {position}): {text.Trim()}";
    }
}
