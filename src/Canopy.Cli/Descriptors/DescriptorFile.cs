using System.Text.Json;
using Canopy.Hosting.Descriptors;

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
            return DescriptorYaml.ToJson(text) ?? throw new CliException($"{path} is empty.", ExitCodes.InvalidInput);
        }
        catch (FormatException e)
        {
            throw new CliException($"{path} is not valid YAML ({e.Message})", ExitCodes.InvalidInput);
        }
    }
}
