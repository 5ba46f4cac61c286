using System.Text;
using System.Text.Json;

namespace Canopy.Core.Descriptors;

/// <summary>
/// A JSON text with every field given twice reduced to its last value, the one that counts (as in Oakestra's Python
/// reader; <see cref="SlaParser"/> warns about each). What is kept, stored and edited later is then unambiguous, and
/// tools that refuse repeated fields (System.Text.Json's JsonNode) can read it.
/// </summary>
public static class JsonLastWins
{
    /// <exception cref="JsonException">The text is not JSON.</exception>
    public static string Normalize(string json)
    {
        using var document = JsonDocument.Parse(json.TrimStart('\uFEFF'));
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(document.RootElement, writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(JsonElement element, Utf8JsonWriter writer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var last = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                var order = new List<string>();
                foreach (var property in element.EnumerateObject())
                {
                    if (!last.ContainsKey(property.Name))
                    {
                        order.Add(property.Name);
                    }

                    last[property.Name] = property.Value;
                }

                writer.WriteStartObject();
                foreach (var name in order)
                {
                    writer.WritePropertyName(name);
                    Write(last[name], writer);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(item, writer);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
