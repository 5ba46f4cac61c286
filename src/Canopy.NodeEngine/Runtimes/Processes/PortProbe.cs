using System.Net;
using System.Net.Sockets;

namespace Canopy.NodeEngine.Runtimes.Processes;

/// <summary>Process instances (exec, wasm, vm) bind their host port themselves (no NAT): a port someone else listens on would only make them crash-loop.</summary>
internal static class PortProbe
{
    public static bool IsTcpPortFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

            // SO_REUSEADDR ignores connections in TIME_WAIT (left by the previous run of the same instance) but still
            // refuses a port that a socket listens on.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
