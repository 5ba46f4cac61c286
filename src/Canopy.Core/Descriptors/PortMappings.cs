namespace Canopy.Core.Descriptors;

/// <summary>Parses the SLA <c>port</c> field: <c>"80"</c>, <c>"8080:80"</c>, <c>"6080:60/tcp"</c>, <c>"53:53/udp;80:8080"</c>.</summary>
public static class PortMappings
{
    /// <summary>An empty or missing field gives an empty list. <paramref name="error"/> names what is wrong otherwise.</summary>
    public static bool TryParse(string? text, out IReadOnlyList<PortMapping> mappings, out string? error) =>
        throw new NotImplementedException();
}
