using System.Net;
using System.Net.Sockets;

namespace Canopy.Testing;

public static class FreePort
{
    private static readonly HashSet<int> Handed = [];

    /// <summary>
    /// The first of <paramref name="count"/> consecutive free ports for services (an exec service's instance n listens on
    /// base + n), below Linux's ephemeral range (32768+) so that no outgoing connection can take one meanwhile.
    /// </summary>
    public static int Block(int count)
    {
        lock (Handed)
        {
            var random = new Random();
            while (true)
            {
                var first = random.Next(20000, 32000 - count);
                var ports = Enumerable.Range(first, count).ToList();
                if (ports.Any(Handed.Contains) || !ports.All(IsFree))
                {
                    continue;
                }

                Handed.UnionWith(ports);
                return first;
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

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
