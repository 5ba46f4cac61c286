using System.Net;
using System.Net.Sockets;
using Canopy.Core.Descriptors;

namespace Canopy.NodeEngine.Runtimes.Container;

/// <summary>
/// Whether a host port can still be published. portmap only adds DNAT rules and binds nothing, so a port some
/// process listens on would silently lose its traffic to the container; that is refused before anything is created.
/// </summary>
internal static class HostPorts
{
    public static bool IsFree(PortMapping mapping)
    {
        var udp = mapping.Protocol == PortMappings.Udp;
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, udp ? SocketType.Dgram : SocketType.Stream, udp ? ProtocolType.Udp : ProtocolType.Tcp);

            // SO_REUSEADDR ignores connections in TIME_WAIT but still refuses a port a socket is bound to.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Any, mapping.HostPort));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
