namespace Canopy.Core.Addressing;

/// <summary>One /26 per worker from 10.18.0.0/16 (10.18.0.0 – 10.29.255.192), as Oakestra assigns them.</summary>
public static class SubnetPool
{
    public const int PrefixLength = 26;

    private const uint First = (10u << 24) | (18u << 16);
    private const uint Last = (10u << 24) | (29u << 16) | (255u << 8) | 192u;
    private const uint Size = 1u << (32 - PrefixLength);

    /// <summary>
    /// The first free subnet in CIDR form (e.g. <c>10.18.0.64/26</c>); null when exhausted. <paramref name="inUse"/> are the
    /// networks routed on the node's machine that are not its own (other Canopy nodes' bridges, other interfaces): a subnet
    /// overlapping none of them is preferred; failing that, one that only a broader route covers (a LAN's 10.0.0.0/8 loses
    /// to the node's /26 for its containers' addresses, see <see cref="Clash"/>). With <paramref name="blocks"/> (the cluster's
    /// blocks of the <see cref="SubnetPlan"/>, CIDR) only subnets inside them are given, block by block in their order; null
    /// means the whole range.
    /// </summary>
    public static string? Allocate(IReadOnlySet<string> taken, IReadOnlyCollection<string>? inUse = null, IReadOnlyList<string>? blocks = null)
    {
        var used = new HashSet<uint>();
        foreach (var subnet in taken)
        {
            if (NetworkOf(subnet) is { } network)
            {
                used.Add(network);
            }
        }

        return Allocate(used, inUse, blocks);
    }

    /// <summary>
    /// <see cref="Allocate(IReadOnlySet{string}, IReadOnlyCollection{string}?, IReadOnlyList{string}?)"/> with the taken subnets as
    /// their network addresses (<see cref="NetworkOf"/>): a caller that keeps them parsed saves a parse per node and allocation.
    /// </summary>
    public static string? Allocate(IReadOnlySet<uint> taken, IReadOnlyCollection<string>? inUse = null, IReadOnlyList<string>? blocks = null)
    {
        var routes = Parse(inUse);
        var ranges = Ranges(blocks);
        return FirstFree(ranges, taken, candidate => !routes.Any(candidate.Overlaps)) ??
               FirstFree(ranges, taken, candidate => Clash(candidate, routes) is null);
    }

    /// <summary>The network address of the /26 that <paramref name="subnet"/> names; null when it is not an address.</summary>
    public static uint? NetworkOf(string subnet)
    {
        // Accept "a.b.c.d/26" and a bare "a.b.c.d": either names the subnet by its network address.
        var slash = subnet.IndexOf('/');
        return Ipv4.TryParse(slash < 0 ? subnet : subnet[..slash], out var network) ? network & ~(Size - 1) : null;
    }

    /// <summary>
    /// The first of <paramref name="inUse"/> that makes <paramref name="subnet"/> unusable on its machine: an overlapping route at
    /// least as specific as the subnet itself, which the kernel would choose over (or beside) the node's bridge for some of its
    /// containers' addresses. Null when there is none, or when <paramref name="subnet"/> is not a network in CIDR form.
    /// </summary>
    public static string? Clash(string subnet, IReadOnlyCollection<string>? inUse) =>
        Ipv4Network.TryParse(subnet, out var network) && Clash(network, Parse(inUse)) is { } route ? route.ToString() : null;

    private static Ipv4Network? Clash(Ipv4Network subnet, List<Ipv4Network> routes) =>
        routes.Where(subnet.IsClashedBy).Select(r => (Ipv4Network?)r).FirstOrDefault();

    private static string? FirstFree(List<(uint First, uint Last)> ranges, IReadOnlySet<uint> used, Func<Ipv4Network, bool> acceptable)
    {
        foreach (var (first, last) in ranges)
        {
            // Ranges end at or below 10.29.255.192: the step never wraps around.
            for (var network = first; network <= last; network += Size)
            {
                var candidate = new Ipv4Network(network, PrefixLength);
                if (!used.Contains(network) && acceptable(candidate))
                {
                    return candidate.ToString();
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The first and last /26 of each block, clipped to the node range (a block from elsewhere gives nothing); the whole range
    /// when there are no blocks. Unreadable blocks and blocks smaller than a /26 are left out.
    /// </summary>
    private static List<(uint First, uint Last)> Ranges(IReadOnlyList<string>? blocks)
    {
        if (blocks is null)
        {
            return [(First, Last)];
        }

        var ranges = new List<(uint, uint)>();
        foreach (var text in blocks)
        {
            if (Ipv4Network.TryParse(text, out var block, strict: false) && block.Prefix <= PrefixLength)
            {
                var first = Math.Max(block.Address, First);
                var last = Math.Min(block.Address | (~block.Mask & ~(Size - 1)), Last);
                if (first <= last)
                {
                    ranges.Add((first, last));
                }
            }
        }

        return ranges;
    }

    /// <summary>Networks in CIDR form (host bits dropped, as for a route); the default route and anything unreadable are left out.</summary>
    private static List<Ipv4Network> Parse(IReadOnlyCollection<string>? inUse) =>
        (inUse ?? []).Select(text => Ipv4Network.TryParse(text, out var n, strict: false) ? n : (Ipv4Network?)null)
            .OfType<Ipv4Network>()
            .Where(n => n.Prefix > 0)
            .ToList();
}
