using Canopy.Core.Addressing;
using Canopy.NodeEngine.Network;

namespace Canopy.Testing;

/// <summary>Node subnets (a node's containers' addresses) for tests and benchmarks that run a node engine's runtimes in process.</summary>
public static class NodeSubnets
{
    /// <summary>A /26 in 10.18.128.0/17 that no route on this host covers (another test's bridge may use one) and that is none of <paramref name="avoid"/>.</summary>
    public static string Free(params string?[] avoid)
    {
        var routes = HostRoutes.Read();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var candidate = new Ipv4Network(
                (10u << 24) | (18u << 16) | ((uint)Random.Shared.Next(128, 256) << 8) | ((uint)Random.Shared.Next(0, 4) * 64), 26);
            if (!routes.Any(r => r.Network.Overlaps(candidate)) && !avoid.Contains(candidate.ToString()))
            {
                return candidate.ToString();
            }
        }

        throw new InvalidOperationException("no free /26 in 10.18.128.0/17");
    }
}
