using System.Net;
using System.Net.Sockets;

namespace Canopy.NodeEngine.Tests.Support;

public static class Ports
{
    /// <summary>A TCP port free right now (the kernel's pick), and the next one free too (instances add their number).</summary>
    public static int Free(int span = 1)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var listener = new TcpListener(IPAddress.Any, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (port + span < 65_000 && Enumerable.Range(port, span).All(IsFree))
            {
                return port;
            }
        }

        throw new InvalidOperationException("no free port range found");
    }

    private static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
