namespace Canopy.Core.Addressing;

/// <summary>
/// The addresses of the nodes' WireGuard devices (encrypted overlay): one per node in 10.31.0.0/16, derived from the node's /26
/// (its index in the node range 10.18.0.0 – 10.29.255.255), so a peer knows another's tunnel address from its subnet alone.
/// </summary>
public static class TunnelAddresses
{
    public const string Range = "10.31.0.0/16";

    private const uint NodeRangeStart = 10u << 24 | 18u << 16;
    private const uint NodeRangeEnd = 10u << 24 | 29u << 16 | 0xFFFF;
    private const uint TunnelBase = 10u << 24 | 31u << 16;

    /// <summary>The tunnel address of the node with <paramref name="nodeSubnet"/> (CIDR or bare address); null outside the node range.</summary>
    public static string? Of(string? nodeSubnet)
    {
        var address = nodeSubnet?.Split('/')[0];
        if (!Ipv4.TryParse(address, out var value) || value < NodeRangeStart || value > NodeRangeEnd)
        {
            return null;
        }

        // 12288 /26s in the node range: index + 1 stays below 10.31.48.1, never the network or broadcast address.
        return Ipv4.Format(TunnelBase + ((value - NodeRangeStart) >> 6) + 1);
    }
}
