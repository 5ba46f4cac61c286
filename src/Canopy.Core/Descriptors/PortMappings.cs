using System.Globalization;

namespace Canopy.Core.Descriptors;

/// <summary>Parses the SLA <c>port</c> field: <c>"80"</c>, <c>"8080:80"</c>, <c>"6080:60/tcp"</c>, <c>"53:53/udp;80:8080"</c>.</summary>
public static class PortMappings
{
    public const string Tcp = "tcp";
    public const string Udp = "udp";

    /// <summary>An empty or missing field gives an empty list. <paramref name="error"/> names what is wrong otherwise.</summary>
    public static bool TryParse(string? text, out IReadOnlyList<PortMapping> mappings, out string? error)
    {
        var result = new List<PortMapping>();
        mappings = result;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        // Empty segments ("80;;81;") are tolerated: users build this string by hand and trailing separators are common.
        foreach (var segment in text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TryParseSegment(segment, out var mapping, out error))
            {
                mappings = [];
                return false;
            }

            // Two mappings on the same host port and protocol cannot both be bound on a node.
            if (result.Any(m => m.HostPort == mapping.HostPort && m.Protocol == mapping.Protocol))
            {
                mappings = [];
                error = $"port \"{segment}\": host port {mapping.HostPort}/{mapping.Protocol} is mapped twice; use each host port once";
                return false;
            }

            result.Add(mapping);
        }

        return true;
    }

    /// <summary>The mappings of a field already validated; an invalid field gives an empty list.</summary>
    public static IReadOnlyList<PortMapping> ParseOrEmpty(string? text) =>
        TryParse(text, out var mappings, out _) ? mappings : [];

    private static bool TryParseSegment(string segment, out PortMapping mapping, out string? error)
    {
        mapping = new PortMapping(0, 0, Tcp);
        var ports = segment;
        var protocol = Tcp;
        var slash = segment.IndexOf('/');
        if (slash >= 0)
        {
            ports = segment[..slash].Trim();
            protocol = segment[(slash + 1)..].Trim().ToLowerInvariant();
            if (protocol is not (Tcp or Udp))
            {
                error = $"port \"{segment}\": protocol \"{segment[(slash + 1)..].Trim()}\" is not supported; use tcp or udp, e.g. \"53:53/udp\"";
                return false;
            }
        }

        var sides = ports.Split(':', StringSplitOptions.TrimEntries);
        if (sides.Length > 2)
        {
            error = $"port \"{segment}\": expected host:container[/tcp|udp] or a single port, e.g. \"8080:80\"";
            return false;
        }

        if (!TryPort(sides[0], out var host))
        {
            error = $"port \"{segment}\": {(sides.Length == 1 ? "port" : "host port")} \"{sides[0]}\" is not a number between 1 and 65535";
            return false;
        }

        var container = host;
        if (sides.Length == 2 && !TryPort(sides[1], out container))
        {
            error = $"port \"{segment}\": container port \"{sides[1]}\" is not a number between 1 and 65535";
            return false;
        }

        mapping = new PortMapping(host, container, protocol);
        error = null;
        return true;
    }

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
}
