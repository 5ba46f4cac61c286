namespace Canopy.Core.Addressing;

/// <summary>Service and instance IPs from 10.30.0.0/16, as Oakestra allocates them.</summary>
public static class ServiceIpPool
{
    public const string Range = "10.30.0.0/16";

    private const uint Network = (10u << 24) | (30u << 16);
    private const uint Mask = 0xFFFF0000;

    public static bool Contains(string ip) => Ipv4.TryParse(ip, out var address) && (address & Mask) == Network;

    /// <summary>The lowest free address of the pool (skipping .0 and .255 hosts); null when the pool is exhausted.</summary>
    public static string? Allocate(IReadOnlySet<string> taken)
    {
        // Parse the taken set once, so that "10.30.0.1" and a differently spelled duplicate cannot both be handed out.
        var used = new HashSet<uint>();
        foreach (var ip in taken)
        {
            if (Ipv4.TryParse(ip, out var address))
            {
                used.Add(address);
            }
        }

        for (var address = Network + 1; address <= (Network | 0xFFFE); address++)
        {
            // .0 and .255 of every /24 are avoided: some stacks still treat them as network/broadcast addresses.
            var last = address & 0xFF;
            if (last is 0 or 255 || used.Contains(address))
            {
                continue;
            }

            return Ipv4.Format(address);
        }

        return null;
    }
}
