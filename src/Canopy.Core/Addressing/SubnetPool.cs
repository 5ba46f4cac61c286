namespace Canopy.Core.Addressing;

/// <summary>One /26 per worker from 10.18.0.0/16 (10.18.0.0 – 10.29.255.192), as Oakestra assigns them.</summary>
public static class SubnetPool
{
    public const int PrefixLength = 26;

    private const uint First = (10u << 24) | (18u << 16);
    private const uint Last = (10u << 24) | (29u << 16) | (255u << 8) | 192u;
    private const uint Size = 1u << (32 - PrefixLength);

    /// <summary>The first free subnet in CIDR form (e.g. <c>10.18.0.64/26</c>); null when exhausted.</summary>
    public static string? Allocate(IReadOnlySet<string> taken)
    {
        var used = new HashSet<uint>();
        foreach (var subnet in taken)
        {
            // Accept "a.b.c.d/26" and a bare "a.b.c.d": either names the subnet by its network address.
            var slash = subnet.IndexOf('/');
            if (Ipv4.TryParse(slash < 0 ? subnet : subnet[..slash], out var network))
            {
                used.Add(network & ~(Size - 1));
            }
        }

        for (var network = First; network <= Last; network += Size)
        {
            if (!used.Contains(network))
            {
                return $"{Ipv4.Format(network)}/{PrefixLength}";
            }
        }

        return null;
    }
}
