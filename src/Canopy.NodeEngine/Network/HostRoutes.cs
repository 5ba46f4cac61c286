using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using Canopy.Core.Addressing;

namespace Canopy.NodeEngine.Network;

/// <summary>One IPv4 route of the main table: where it leads (a network) and through which device.</summary>
internal readonly record struct HostRoute(string Device, Ipv4Network Network)
{
    public override string ToString() => $"{Network} dev {Device}";
}

/// <summary>The IPv4 routes of this network namespace, from <c>/proc/net/route</c>.</summary>
internal static class HostRoutes
{
    public const string Path = "/proc/net/route";

    public static IReadOnlyList<HostRoute> Read()
    {
        try
        {
            return Parse(File.ReadAllText(Path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// Every route but the default one, each once. Destination and mask are hexadecimal in the kernel's byte order
    /// (<c>000200C0</c> is 192.0.2.0 on a little-endian machine).
    /// </summary>
    public static IReadOnlyList<HostRoute> Parse(string text)
    {
        var routes = new List<HostRoute>();
        foreach (var line in text.Split('\n').Skip(1))
        {
            var fields = line.Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (fields.Length < 8 || !TryAddress(fields[1], out var destination) || !TryAddress(fields[7], out var mask))
            {
                continue;
            }

            var prefix = BitOperations.PopCount(mask);
            var route = new HostRoute(fields[0], new Ipv4Network(destination & mask, prefix));
            if (prefix > 0 && !routes.Contains(route))
            {
                routes.Add(route);
            }
        }

        return routes;
    }

    private static bool TryAddress(string hex, out uint address)
    {
        address = 0;
        if (!uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var raw))
        {
            return false;
        }

        address = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(raw) : raw;
        return true;
    }
}
