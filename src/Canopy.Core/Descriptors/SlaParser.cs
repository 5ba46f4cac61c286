namespace Canopy.Core.Descriptors;

/// <summary>
/// Reads an SLA v2.0 JSON document and validates it with Oakestra's rules, reporting every problem with its JSON path.
/// </summary>
public static class SlaParser
{
    public static SlaParseResult Parse(string json) => throw new NotImplementedException();
}
