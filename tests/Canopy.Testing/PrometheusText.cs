using System.Globalization;
using System.Text;

namespace Canopy.Testing;

/// <summary>One sample of a scrape: <c>name{label="value",...} value</c>.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";
}

/// <summary>
/// Reads the Prometheus text exposition format (version 0.0.4) strictly enough that a malformed line fails the test: every
/// sample line must be a name, optional labels with escaped quoted values, and a number; <c># TYPE</c> must name a known type.
/// </summary>
public sealed class PrometheusText
{
    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    private PrometheusText(IReadOnlyList<PrometheusSample> samples, IReadOnlyDictionary<string, string> types)
    {
        Samples = samples;
        TypeOf = types;
    }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>Metric family name → its <c># TYPE</c>.</summary>
    public IReadOnlyDictionary<string, string> TypeOf { get; }

    public IEnumerable<PrometheusSample> this[string name] => Samples.Where(s => s.Name == name);

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include <paramref name="labels"/> (0 when none).</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) =>
        this[name].Where(s => labels.All(l => s.Label(l.Label) == l.Value)).Sum(s => s.Value);

    public bool Has(string name) => Samples.Any(s => s.Name == name);

    /// <summary>Canopy's own samples, one a line: what a failed wait shows.</summary>
    public override string ToString() => string.Join('\n', Samples.Where(s => s.Name.StartsWith("canopy_", StringComparison.Ordinal))
        .Select(s => $"{s.Name}{{{string.Join(',', s.Labels.Select(l => $"{l.Key}={l.Value}"))}}} {s.Value}"));

    /// <exception cref="FormatException">A line is not valid exposition format; the message quotes it.</exception>
    public static PrometheusText Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        var types = new Dictionary<string, string>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 4 && parts[1] == "TYPE")
                {
                    types[parts[2]] = Types.Contains(parts[3]) ? parts[3] : throw new FormatException($"unknown metric type in '{line}'");
                }

                continue;
            }

            samples.Add(ParseSample(line));
        }

        return new PrometheusText(samples, types);
    }

    private static PrometheusSample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':'))
        {
            i++;
        }

        if (i == 0 || char.IsAsciiDigit(line[0]))
        {
            throw new FormatException($"no metric name at the start of '{line}'");
        }

        var name = line[..i];
        var labels = new Dictionary<string, string>();
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var start = i;
                while (line[i] != '=')
                {
                    i++;
                }

                var label = line[start..i];
                if (line[i + 1] != '"')
                {
                    throw new FormatException($"label {label} is not quoted in '{line}'");
                }

                i += 2;
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch { 'n' => '\n', '\\' => '\\', '"' => '"', _ => throw new FormatException($"bad escape in '{line}'") });
                    }
                    else
                    {
                        value.Append(line[i]);
                    }

                    i++;
                }

                labels[label] = value.ToString();
                i++;
                if (line[i] == ',')
                {
                    i++;
                }
            }

            i++;
        }

        var rest = line[i..].Trim().Split(' ');
        if (rest.Length is < 1 or > 2 || !TryNumber(rest[0], out var number))
        {
            throw new FormatException($"no sample value in '{line}'");
        }

        return new PrometheusSample(name, labels, number);
    }

    private static bool TryNumber(string text, out double value)
    {
        switch (text)
        {
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
