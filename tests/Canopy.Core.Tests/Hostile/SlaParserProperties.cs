using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Core.Descriptors.Tests;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Canopy.Core.Descriptors.Hostile;

/// <summary>
/// The SLA reader is the first code that sees a user's (or an attacker's) descriptor: whatever it gets, it answers with a
/// document or with problems, never with an exception (which the API would turn into a 500).
/// </summary>
public sealed class SlaParserProperties
{
    private static readonly string[] Valid = System.IO.Directory.GetFiles(SlaFiles.Directory("valid"), "*.json").Select(File.ReadAllText).ToArray();

    private static readonly Gen<JsonNode?> AnyValue = Gen.OneOf(
        Gen.Constant<JsonNode?>(null),
        ArbMap.Default.GeneratorFor<string>().Select(s => (JsonNode?)JsonValue.Create(s)),
        ArbMap.Default.GeneratorFor<long>().Select(n => (JsonNode?)JsonValue.Create(n)),
        ArbMap.Default.GeneratorFor<double>().Where(double.IsFinite).Select(n => (JsonNode?)JsonValue.Create(n)),
        ArbMap.Default.GeneratorFor<bool>().Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Elements<JsonNode?>(new JsonArray(), new JsonObject(), JsonValue.Create(-1), JsonValue.Create(long.MaxValue),
            JsonValue.Create(1e308), JsonValue.Create(""), JsonValue.Create("v2.0"), JsonValue.Create("exec"), JsonValue.Create("container")));

    [Property(MaxTest = 1000)]
    public void AnyText_ParsesOrGivesProblems(string? text) => ParsesOrExplains(text ?? "");

    [Fact]
    public void ValidDescriptorsWithOneValueReplaced_ParseOrGiveProblems()
    {
        var mutated = (from text in Gen.Elements(Valid)
                       from pick in Gen.Choose(0, 10_000)
                       from value in AnyValue
                       from remove in ArbMap.Default.GeneratorFor<bool>()
                       select Replace(text, pick, value, remove)).ToArbitrary();

        Valid.ShouldNotBeEmpty();
        Prop.ForAll(mutated, ParsesOrExplains).Check(Config.QuickThrowOnFailure.WithMaxTest(3000));
    }

    [Fact]
    public void ValidDescriptorsCutShort_GiveProblems()
    {
        var cut = (from text in Gen.Elements(Valid)
                   from at in Gen.Choose(0, 100_000)
                   let content = text.TrimEnd()
                   select content[..(at % content.Length)]).ToArbitrary();

        Prop.ForAll(cut, text => SlaParser.Parse(text).Errors.ShouldNotBeEmpty()).Check(Config.QuickThrowOnFailure.WithMaxTest(1000));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(63)]
    [InlineData(5000)]
    public void DeeplyNestedJson_GivesAProblem(int depth)
    {
        var text = new string('[', depth) + new string(']', depth);

        ParsesOrExplains(text);
        ParsesOrExplains($$"""{"sla_version":"v2.0","customerID":"Admin","applications":{{text}}}""");
    }

    private static void ParsesOrExplains(string text)
    {
        var result = SlaParser.Parse(text);
        (result.Document is not null || result.Errors.Count > 0).ShouldBeTrue();
    }

    /// <summary>Replaces (or removes) the <paramref name="pick"/>-th value of the document, counting depth first.</summary>
    private static string Replace(string text, int pick, JsonNode? value, bool remove)
    {
        var root = JsonNode.Parse(text)!;
        var slots = new List<(JsonNode Parent, object Key)>();
        Collect(root, slots);
        if (slots.Count == 0)
        {
            return text;
        }

        var (parent, key) = slots[pick % slots.Count];
        var copy = value?.DeepClone();
        switch (parent, key)
        {
            case (JsonObject obj, string name) when remove:
                obj.Remove(name);
                break;
            case (JsonObject obj, string name):
                obj[name] = copy;
                break;
            case (JsonArray array, int index) when remove:
                array.RemoveAt(index);
                break;
            case (JsonArray array, int index):
                array[index] = copy;
                break;
        }

        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    private static void Collect(JsonNode node, List<(JsonNode Parent, object Key)> slots)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    slots.Add((obj, name));
                    if (child is not null)
                    {
                        Collect(child, slots);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    slots.Add((array, i));
                    if (array[i] is { } child)
                    {
                        Collect(child, slots);
                    }
                }

                break;
        }
    }
}

/// <summary>Cases the properties found, kept as plain examples.</summary>
public sealed class SlaParserFoundCases
{
    [Fact]
    public void A_field_given_twice_keeps_its_last_value_once()
    {
        var text = File.ReadAllText(Path.Combine(SlaFiles.Directory("valid"), "exec-httpd.json"))
            .Replace("\"storage\": 0,", "\"storage\": 7, \"storage\": 0,", StringComparison.Ordinal);

        var normalized = JsonLastWins.Normalize(text);

        JsonNode.Parse(normalized)!["applications"]![0]!["microservices"]![0]!["storage"]!.GetValue<int>().ShouldBe(0);
        System.Text.RegularExpressions.Regex.Count(normalized, "\"storage\"").ShouldBe(1);
        SlaParser.Parse(text).Warnings.ShouldContain(w => w.Message.Contains("more than once"));
    }
}
