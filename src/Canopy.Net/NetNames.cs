using System.Globalization;

namespace Canopy.Net;

/// <summary>
/// The names of what a node's net manager owns in the kernel, all from its 8-hex key (the one of its bridge <c>cnp&lt;key&gt;</c>),
/// so that a later cleanup can find them from the key alone.
/// </summary>
public static class NetNames
{
    /// <summary>The VXLAN network identifier every Canopy node uses: one overlay for the whole deployment.</summary>
    public const int Vni = 4242;

    /// <summary>IANA's VXLAN port; a second node in the same network namespace takes the next free one.</summary>
    public const int DefaultOverlayPort = 4789;

    /// <summary>VXLAN header (8) + outer UDP (8) + IPv4 (20) + Ethernet (14): what the overlay takes from the underlay's MTU.</summary>
    public const int OverlayOverhead = 50;

    public static bool IsValid(string? key) => key is { Length: 8 } && key.All(char.IsAsciiHexDigitLower);

    /// <summary>Throws when <paramref name="key"/> is not 8 lower-case hex digits (it names kernel objects).</summary>
    public static string Check(string? key) => IsValid(key)
        ? key!
        : throw new ArgumentException($"A node key is 8 lower-case hex digits (the ones of its bridge cnp<key>), not '{key}'", nameof(key));

    public static string Device(string key) => "cnv" + Check(key);

    public static string Bridge(string key) => "cnp" + Check(key);

    public static string Table(string key) => "canopy_" + Check(key);

    /// <summary>The WireGuard device of an encrypted overlay (wireguard-go's TUN).</summary>
    public static string TunnelDevice(string key) => "cnw" + Check(key);

    /// <summary>The nftables table (family inet) that drops VXLAN packets reaching an encrypting node outside its tunnel.</summary>
    public static string TunnelGuardTable(string key) => "canopy_wg_" + Check(key);

    /// <summary>
    /// The VXLAN device's MAC: <c>02:63:</c> (locally administered, unicast; 0x63 = 'c') then the key's four bytes. Derived, not
    /// random, so that a restarted node keeps the MAC its peers have in their neighbour and forwarding entries.
    /// </summary>
    public static string VtepMac(string key)
    {
        Check(key);
        var bytes = Enumerable.Range(0, 4).Select(i => key.Substring(i * 2, 2));
        return "02:63:" + string.Join(':', bytes);
    }

    /// <summary>True for a unicast MAC in the <c>aa:bb:cc:dd:ee:ff</c> form (what a peer's VTEP must be).</summary>
    public static bool IsUnicastMac(string? mac)
    {
        if (mac is not { Length: 17 })
        {
            return false;
        }

        var parts = mac.Split(':');
        return parts.Length == 6
            && parts.All(p => p.Length == 2 && p.All(char.IsAsciiHexDigit))
            && (byte.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 1) == 0
            && mac != "00:00:00:00:00:00";
    }
}
