namespace Canopy.Core.Addressing;

/// <summary>
/// One address plan for the whole deployment: the root hands each cluster blocks of the node range (10.18.0.0 –
/// 10.29.255.255), and the cluster hands each of its nodes a /26 from its blocks, so no two nodes anywhere share a subnet.
/// </summary>
public static class SubnetPlan
{
    /// <summary>A block is a /20: 64 nodes. A cluster with more asks for another block.</summary>
    public const int BlockPrefix = 20;

    public const string NodeRange = "10.18.0.0 – 10.29.255.255";

    private const uint First = (10u << 24) | (18u << 16);
    private const uint End = (10u << 24) | (30u << 16);
    private const uint BlockSize = 1u << (32 - BlockPrefix);

    /// <summary>The lowest block not in <paramref name="taken"/> (CIDR strings); null when all 768 are taken.</summary>
    public static string? AllocateBlock(IEnumerable<string> taken)
    {
        var used = new HashSet<uint>();
        foreach (var block in taken)
        {
            if (Ipv4Network.TryParse(block, out var network, strict: false))
            {
                used.Add(network.Address & ~(BlockSize - 1));
            }
        }

        for (var block = First; block < End; block += BlockSize)
        {
            if (!used.Contains(block))
            {
                return new Ipv4Network(block, BlockPrefix).ToString();
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="subnet"/> (CIDR) lies inside one of <paramref name="blocks"/>.</summary>
    public static bool IsInside(string subnet, IEnumerable<string> blocks) =>
        Ipv4Network.TryParse(subnet, out var network, strict: false) &&
        blocks.Any(b => Ipv4Network.TryParse(b, out var block, strict: false) && block.Prefix <= network.Prefix && block.Overlaps(network));
}
