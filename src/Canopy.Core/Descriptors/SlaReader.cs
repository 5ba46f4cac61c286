using System.Globalization;
using System.Text.Json;

namespace Canopy.Core.Descriptors;

/// <summary>
/// Reads fields of the raw JSON and records every problem with its path, so that wrong types are reported
/// (with what was found and what to write instead) before the document is deserialized.
/// </summary>
internal sealed class SlaReader
{
    public List<SlaProblem> Errors { get; } = [];
    public List<SlaProblem> Warnings { get; } = [];

    public void Error(string path, string message) => Errors.Add(new SlaProblem(path, message));

    public void Warn(string path, string message) => Warnings.Add(new SlaProblem(path, message));

    public static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    public static string Index(string path, int index) => $"{path}[{index}]";

    /// <summary>The field's value, or false when absent. A required absent field is an error that shows an example.</summary>
    public bool TryField(JsonElement obj, string path, string name, string? requiredExample, out JsonElement value)
    {
        if (obj.TryGetProperty(name, out value))
        {
            return true;
        }

        if (requiredExample is not null)
        {
            Error(Child(path, name), $"is required; add e.g. \"{name}\": {requiredExample}");
        }

        return false;
    }

    public string? String(JsonElement obj, string path, string name, string? requiredExample = null)
    {
        if (!TryField(obj, path, name, requiredExample, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Error(Child(path, name), $"must be a string, got {Describe(value)}; put the value in double quotes, e.g. \"{name}\": \"{Unquoted(value)}\"");
            return null;
        }

        return value.GetString();
    }

    /// <summary>A whole number in <paramref name="min"/>..<paramref name="max"/>.</summary>
    public long? Integer(JsonElement obj, string path, string name, long min, long max, string? requiredExample = null)
    {
        if (!TryField(obj, path, name, requiredExample, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            var found = value.ValueKind == JsonValueKind.Number ? $"number {value.GetRawText()}" : Describe(value);
            Error(Child(path, name), $"must be an integer, got {found}; write a whole number without quotes, e.g. \"{name}\": {Math.Max(min, 1)}");
            return null;
        }

        if (number < min || number > max)
        {
            Error(Child(path, name), RangeMessage(number, min, max));
            return null;
        }

        return number;
    }

    /// <summary>Any JSON number (fractions allowed) of at least <paramref name="min"/>.</summary>
    public double? Number(JsonElement obj, string path, string name, double min, bool exclusiveMin = false, string? requiredExample = null)
    {
        if (!TryField(obj, path, name, requiredExample, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            Error(Child(path, name), $"must be a number, got {Describe(value)}; write it without quotes, e.g. \"{name}\": 1");
            return null;
        }

        if (number < min || (exclusiveMin && number <= min))
        {
            var bound = min.ToString(CultureInfo.InvariantCulture);
            Error(Child(path, name), exclusiveMin
                ? $"must be greater than {bound}, got {value.GetRawText()}"
                : $"must be at least {bound}, got {value.GetRawText()}");
            return null;
        }

        return number;
    }

    public bool? Boolean(JsonElement obj, string path, string name)
    {
        if (!TryField(obj, path, name, null, out var value))
        {
            return null;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Error(Child(path, name), $"must be a boolean, got {Describe(value)}; write true or false without quotes");
            return null;
        }

        return value.GetBoolean();
    }

    /// <summary>An array whose every entry is a string; each bad entry is reported with its index.</summary>
    public List<string>? StringArray(JsonElement obj, string path, string name, string? requiredExample = null)
    {
        if (!Array(obj, path, name, requiredExample, out var array))
        {
            return null;
        }

        var result = new List<string>();
        var ok = true;
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                result.Add(item.GetString()!);
            }
            else
            {
                ok = false;
                Error(Index(Child(path, name), index), $"must be a string, got {Describe(item)}; put each entry in double quotes");
            }

            index++;
        }

        return ok ? result : null;
    }

    public bool Array(JsonElement obj, string path, string name, string? requiredExample, out JsonElement array)
    {
        if (!TryField(obj, path, name, requiredExample, out array))
        {
            return false;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            Error(Child(path, name), $"must be an array, got {Describe(array)}; write it in square brackets, e.g. \"{name}\": []");
            return false;
        }

        return true;
    }

    public bool Object(JsonElement obj, string path, string name, out JsonElement value)
    {
        if (!TryField(obj, path, name, null, out value))
        {
            return false;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            Error(Child(path, name), $"must be an object, got {Describe(value)}; write it in braces, e.g. \"{name}\": {{}}");
            return false;
        }

        return true;
    }

    /// <summary>An array entry that must be an object (an application, a microservice, a constraint...).</summary>
    public bool IsObject(JsonElement item, string path, string what)
    {
        if (item.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        Error(path, $"must be an object describing {what}, got {Describe(item)}");
        return false;
    }

    /// <summary>
    /// Unknown fields are kept (Oakestra ignores them too), but a warning helps with typos such as <c>bandwith_out</c>;
    /// a field given twice is a warning because only the last one counts.
    /// </summary>
    public void CheckFields(JsonElement obj, string path, IReadOnlyCollection<string> known)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            var name = property.Name;
            if (!seen.Add(name))
            {
                Warn(Child(path, name), "appears more than once; only the last value is used");
                continue;
            }

            if (known.Contains(name))
            {
                continue;
            }

            var suggestion = FieldSuggestions.Closest(name, known);
            Warn(Child(path, name), suggestion is null
                ? "is not an SLA field; it is kept but Canopy does not use it"
                : $"is not an SLA field (did you mean \"{suggestion}\"?); it is kept but Canopy does not use it");
        }
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"string {Truncate(value.GetRawText())}",
        JsonValueKind.Number => $"number {Truncate(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => $"boolean {value.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string RangeMessage(long got, long min, long max)
    {
        // Limits at the type's maximum are not a rule of the SLA, only of the number's width: say so plainly.
        var unbounded = max >= int.MaxValue;
        return (got < min, unbounded) switch
        {
            (true, true) => min == 0 ? $"must not be negative, got {got}" : $"must be at least {min}, got {got}",
            (false, true) => $"is too large, got {got}; the largest accepted value is {max}",
            _ => $"must be between {min} and {max}, got {got}",
        };
    }

    // A number or boolean given where a string belongs is shown back quoted, as the fix.
    private static string Unquoted(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => Truncate(value.GetRawText()),
        _ => "...",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "...");
}
