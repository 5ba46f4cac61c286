using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Canopy.Cli.Descriptors;

/// <summary>Reads an SLA descriptor file, JSON or YAML, and gives the JSON text the API takes.</summary>
public static class DescriptorFile
{
    public static string ReadAsJson(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"No such file: {path}", ExitCodes.InvalidInput);
        }

        var text = File.ReadAllText(path);
        var trimmed = text.TrimStart();
        var looksJson = trimmed.StartsWith('{') || trimmed.StartsWith('[') || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        return looksJson ? CheckJson(path, text) : YamlToJson(path, text);
    }

    private static string CheckJson(string path, string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return text;
        }
        catch (JsonException e)
        {
            throw new CliException($"{path} is not valid JSON: {e.Message}", ExitCodes.InvalidInput);
        }
    }

    private static string YamlToJson(string path, string text)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0)
            {
                throw new CliException($"{path} is empty.", ExitCodes.InvalidInput);
            }

            return Convert(stream.Documents[0].RootNode)?.ToJsonString() ?? "null";
        }
        catch (YamlException e)
        {
            throw new CliException($"{path} is not valid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.Message}", ExitCodes.InvalidInput);
        }
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p =>
            KeyValuePair.Create(((YamlScalarNode)p.Key).Value ?? "", Convert(p.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value;
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(value);
        }

        return value switch
        {
            null or "" or "~" or "null" => null,
            "true" or "True" => JsonValue.Create(true),
            "false" or "False" => JsonValue.Create(false),
            _ when long.TryParse(value, out var l) => JsonValue.Create(l),
            _ when double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
            _ => JsonValue.Create(value),
        };
    }
}
