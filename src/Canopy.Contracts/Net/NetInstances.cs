using Canopy.Core.Descriptors;

namespace Canopy.Contracts.Net;

/// <summary>How an instance's address and ports appear in a <see cref="NetService"/>; the one rule for cluster and root.</summary>
public static class NetInstances
{
    /// <summary>
    /// A container instance is reached on its own IP, every port as it is. An exec instance shares its node's address, so each
    /// SLA port mapping sends its container port to the host port the instance listens on (first host port + instance number,
    /// as <c>PORT</c> tells it). Null when there is no address to route (no IP reported yet; exec without ports).
    /// </summary>
    public static NetInstance? Entry(string virtualization, string? portField, int instanceNumber, string nodeId, string? instanceIp, string? nodeIp)
    {
        if (virtualization == Virtualizations.Container)
        {
            return string.IsNullOrEmpty(instanceIp) ? null : new NetInstance { InstanceNumber = instanceNumber, NodeId = nodeId, Address = instanceIp };
        }

        var address = string.IsNullOrEmpty(instanceIp) ? nodeIp : instanceIp;
        var ports = PortMappings.ParseOrEmpty(portField)
            .Select(m => new NetPort(m.Protocol, m.ContainerPort, m.HostPort + instanceNumber))
            .ToList();
        return string.IsNullOrEmpty(address) || ports.Count == 0
            ? null
            : new NetInstance { InstanceNumber = instanceNumber, NodeId = nodeId, Address = address, Ports = ports };
    }
}
