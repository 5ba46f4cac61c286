using System.Net;
using System.Net.Sockets;

namespace Canopy.Testing;

public static class FreePort
{
    private static readonly HashSet<int> Handed = [];

    /// <summary>A loopback TCP port nobody listens on now, never the same twice in this test run.</summary>
    public static int Next()
    {
        lock (Handed)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (Handed.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
