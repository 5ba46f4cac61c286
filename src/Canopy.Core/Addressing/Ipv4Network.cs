using System.Globalization;

namespace Canopy.Core.Addressing;

/// <summary>An IPv4 network in CIDR form (<c>10.18.0.64/26</c>): its first address and its prefix length.</summary>
public readonly record struct Ipv4Network(uint Address, int Prefix)
{
    public uint Mask => Prefix == 0 ? 0 : uint.MaxValue << (32 - Prefix);

    /// <summary>
    /// Reads <c>a.b.c.d/n</c> (0 ≤ n ≤ 32). With <paramref name="strict"/> the address must be the network's first one (no host
    /// bits set), as a subnet handed to a node is; otherwise host bits are dropped, as the kernel does for a route.
    /// </summary>
    public static bool TryParse(string? text, out Ipv4Network network, bool strict = true)
    {
        network = default;
        var slash = text?.IndexOf('/') ?? -1;
        if (slash <= 0 || !Ipv4.TryParse(text![..slash], out var address) ||
            !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > 32)
        {
            return false;
        }

        var candidate = new Ipv4Network(address, prefix);
        if ((address & candidate.Mask) != address)
        {
            if (strict)
            {
                return false;
            }

            candidate = candidate with { Address = address & candidate.Mask };
        }

        network = candidate;
        return true;
    }

    /// <summary>True when some address is in both: one network contains the other.</summary>
    public bool Overlaps(Ipv4Network other)
    {
        var shorter = Math.Min(Prefix, other.Prefix);
        var mask = shorter == 0 ? 0 : uint.MaxValue << (32 - shorter);
        return (Address & mask) == (other.Address & mask);
    }

    /// <summary>
    /// True when <paramref name="route"/> makes this network unusable as a node's subnet on its machine: it overlaps it and is at
    /// least as specific, so the kernel would send some of the subnet's traffic there (a broader route, a LAN's 10.0.0.0/8, loses).
    /// </summary>
    public bool IsClashedBy(Ipv4Network route) => route.Prefix >= Prefix && route.Overlaps(this);

    public override string ToString() => $"{Ipv4.Format(Address)}/{Prefix.ToString(CultureInfo.InvariantCulture)}";
}
