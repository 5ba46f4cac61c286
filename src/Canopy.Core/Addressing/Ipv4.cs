using System.Globalization;

namespace Canopy.Core.Addressing;

/// <summary>
/// Strict dotted-quad IPv4 text ⇄ number. <see cref="System.Net.IPAddress.TryParse(string?, out System.Net.IPAddress?)"/>
/// accepts forms like <c>"10"</c> or <c>"0x0a.1"</c>, which a descriptor must not.
/// </summary>
public static class Ipv4
{
    /// <summary>Reads exactly four decimal octets 0..255 (no leading zeros beyond a single "0").</summary>
    public static bool TryParse(string? text, out uint address)
    {
        address = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || !part.All(char.IsAsciiDigit))
            {
                return false;
            }

            var octet = int.Parse(part, CultureInfo.InvariantCulture);
            if (octet > 255)
            {
                return false;
            }

            address = (address << 8) | (uint)octet;
        }

        return true;
    }

    public static bool IsValid(string? text) => TryParse(text, out _);

    public static string Format(uint address) => string.Create(
        CultureInfo.InvariantCulture,
        $"{address >> 24}.{(address >> 16) & 0xFF}.{(address >> 8) & 0xFF}.{address & 0xFF}");
}
