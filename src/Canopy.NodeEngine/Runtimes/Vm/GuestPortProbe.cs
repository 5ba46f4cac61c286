using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Canopy.NodeEngine.Runtimes.Vm;

/// <summary>
/// Whether the guest serves its port. A connection to the forwarded host port proves nothing by itself: QEMU's user
/// network accepts it on the host before the guest has even booted, and keeps it open while it retries the SYN. So the
/// probe connects, then reads QEMU's own table (<c>info usernet</c> over QMP): a connection to the guest port that got past
/// the handshake means the guest accepted it. A guest that refuses makes QEMU close the host side at once.
/// </summary>
internal static class GuestPortProbe
{
    private static readonly TimeSpan HandshakeWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    /// <summary>TCP states of QEMU's slirp after the guest answered the SYN.</summary>
    private static readonly string[] AcceptedStates =
        ["TCP[ESTABLISHED]", "TCP[CLOSE_WAIT]", "TCP[FIN_WAIT_1]", "TCP[FIN_WAIT_2]", "TCP[CLOSING]", "TCP[LAST_ACK]", "TCP[TIME_WAIT]"];

    /// <summary>True when the guest accepted a connection on <paramref name="guestPort"/> (forwarded from <paramref name="hostPort"/>).</summary>
    public static async Task<bool> ServesAsync(QmpClient qmp, int hostPort, int guestPort, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, hostPort), ct).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            // QEMU does not listen yet.
            return false;
        }

        var deadline = DateTime.UtcNow + HandshakeWait;
        while (true)
        {
            if (HasAccepted(await qmp.HumanAsync("info usernet", ct).ConfigureAwait(false), guestPort))
            {
                return true;
            }

            // Readable with nothing to read: QEMU closed the host side because the guest refused.
            if (socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0)
            {
                return false;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(Step, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// In <c>info usernet</c> output (<c>TCP[ESTABLISHED] 19 127.0.0.1 18080 10.0.2.15 8080 0 0</c>: state, fd, source address
    /// and port, destination address and port, queues), a connection to <paramref name="guestPort"/> past the handshake.
    /// </summary>
    public static bool HasAccepted(string usernet, int guestPort)
    {
        var port = guestPort.ToString(CultureInfo.InvariantCulture);
        foreach (var line in usernet.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 6 && AcceptedStates.Contains(fields[0]) && fields[5] == port)
            {
                return true;
            }
        }

        return false;
    }
}
