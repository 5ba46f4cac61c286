using Canopy.Core.Addressing;
using Canopy.NodeEngine.Network;

namespace Canopy.Testing;

/// <summary>Node subnets (a node's containers' addresses) for tests and benchmarks that run a node engine's runtimes in process.</summary>
public static class NodeSubnets
{
    /// <summary>
    /// A network of <paramref name="prefix"/> bits (a cluster hands its nodes a /26) in 10.18.128.0/17 that no route on
    /// this host covers (another test's bridge may use one) and that is none of <paramref name="avoid"/>.
    /// </summary>
    public static string Free(int prefix = 26, params string?[] avoid)
    {
        const uint range = (10u << 24) | (18u << 16) | (128u << 8);
        var size = 1u << (32 - prefix);
        var choices = (int)((1u << 15) / size);
        var routes = HostRoutes.Read();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var candidate = new Ipv4Network(range + ((uint)Random.Shared.Next(0, choices) * size), prefix);
            if (!routes.Any(r => r.Network.Overlaps(candidate)) && !avoid.Contains(candidate.ToString()))
            {
                return candidate.ToString();
            }
        }

        throw new InvalidOperationException($"no free /{prefix} in 10.18.128.0/17");
    }
}
