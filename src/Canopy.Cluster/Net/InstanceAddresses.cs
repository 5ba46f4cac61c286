using Canopy.Core.Addressing;
using Canopy.Core.Descriptors;

namespace Canopy.Cluster.Net;

/// <summary>Whether a container's reported address may be routed: only one inside its node's own subnet is.</summary>
internal static class InstanceAddresses
{
    /// <summary>
    /// Why the address of an instance cannot be routed, or null when it can (or there is nothing to judge: exec instances use their
    /// node's own address, and an instance without an address is simply not in the tables yet). A node that reports an address in
    /// another node's subnet would otherwise steal that node's traffic.
    /// </summary>
    public static string? Unrouted(string virtualization, string? instanceIp, string nodeHost, string? nodeSubnet)
    {
        if (virtualization != Virtualizations.Container || string.IsNullOrEmpty(instanceIp))
        {
            return null;
        }

        return Ipv4.TryParse(instanceIp, out var address) && Ipv4Network.TryParse(nodeSubnet, out var subnet) &&
               subnet.Overlaps(new Ipv4Network(address, 32))
            ? null
            : $"address {instanceIp} is outside node {nodeHost}'s subnet {nodeSubnet ?? "(none)"}; not routed";
    }
}
