using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;

namespace Canopy.Cluster.Broker.KeepAlive;

/// <summary>One established TCP socket of the broker, as the kernel sees it.</summary>
/// <param name="Remote">The client's address and port (IPv4-mapped IPv6 addresses as IPv4).</param>
/// <param name="SinceLastData">Time since the socket last received a data segment (<c>tcpi_last_data_recv</c>): any MQTT packet.</param>
/// <param name="Id">The kernel's identity of the socket (4-tuple, interface, cookie), to destroy exactly this one.</param>
internal sealed record BrokerSocket(IPEndPoint Remote, TimeSpan SinceLastData, byte[] Id, byte Family);

/// <summary>
/// The kernel's socket diagnostics (NETLINK_SOCK_DIAG, as <c>ss</c> uses): one dump lists every established socket on the
/// broker's port with its <c>tcp_info</c>; <c>SOCK_DESTROY</c> aborts one (the kernel sends a RST and the owner, Mosquitto, sees
/// its connection fail). Linux only; destroying needs CAP_NET_ADMIN and a kernel built with CONFIG_INET_DIAG_DESTROY.
/// </summary>
internal sealed class SocketDiagnostics : IDisposable
{
    private const int AfNetlink = 16;
    private const int SockDgram = 2;
    private const int SockCloexec = 0x80000;
    private const int NetlinkSockDiag = 4;
    private const int SolSocket = 1;
    private const int SoRcvtimeo = 20;
    private const ushort SockDiagByFamily = 20;
    private const ushort SockDestroy = 21;
    private const ushort NlmsgError = 2;
    private const ushort NlmsgDone = 3;
    private const ushort NlmFRequest = 1;
    private const ushort NlmFAck = 4;
    private const ushort NlmFDump = 0x300;
    private const byte IpProtoTcp = 6;
    private const byte AfInet = 2;
    private const byte AfInet6 = 10;
    private const uint TcpEstablished = 1 << 1;
    private const byte InetDiagInfo = 2;

    // struct nlmsghdr (16) + struct inet_diag_req_v2 (56: family, protocol, ext, pad, states, inet_diag_sockid of 48 bytes).
    private const int HeaderSize = 16;
    private const int SockIdSize = 48;
    private const int RequestSize = HeaderSize + 8 + SockIdSize;

    // struct inet_diag_msg: family, state, timer, retrans, inet_diag_sockid, expires, rqueue, wqueue, uid, inode.
    private const int DiagMessageSize = 4 + SockIdSize + 20;

    // struct tcp_info: 8 bytes of u8 fields, then u32s: rto, ato, snd_mss, rcv_mss, unacked, sacked, lost, retrans, fackets,
    // last_data_sent, last_ack_sent, last_data_recv.
    private const int LastDataRecvOffset = 8 + (11 * 4);

    private readonly int _fd;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private uint _sequence;

    private SocketDiagnostics(int fd) => _fd = fd;

    /// <summary>Null when this is not Linux or the kernel refuses a diagnostics socket (then the errno says why).</summary>
    public static SocketDiagnostics? TryOpen(out int errno)
    {
        errno = 0;
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var fd = Socket(AfNetlink, SockDgram | SockCloexec, NetlinkSockDiag);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        // A kernel that never answers must not hang the watch: 1 s, then the dump fails and is tried at the next tick.
        var timeout = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(timeout, 1);
        SetSockOpt(fd, SolSocket, SoRcvtimeo, timeout, timeout.Length);
        return new SocketDiagnostics(fd);
    }

    /// <summary>The established TCP sockets whose local port is <paramref name="port"/> (IPv4 and IPv6).</summary>
    public List<BrokerSocket> Established(int port)
    {
        var sockets = new List<BrokerSocket>();
        foreach (var family in new[] { AfInet, AfInet6 })
        {
            var request = Request(SockDiagByFamily, (ushort)(NlmFRequest | NlmFDump), family, TcpEstablished, 1 << (InetDiagInfo - 1), null);
            Send(request);
            ReadDump(port, sockets);
        }

        return sockets;
    }

    /// <summary>Aborts the socket: 0 when done (or already gone), else the errno (EPERM without CAP_NET_ADMIN, EOPNOTSUPP without kernel support).</summary>
    public int Destroy(BrokerSocket socket)
    {
        Send(Request(SockDestroy, NlmFRequest | NlmFAck, socket.Family, uint.MaxValue, 0, socket.Id));
        while (true)
        {
            var length = Receive();
            for (var offset = 0; offset + HeaderSize <= length;)
            {
                var (size, type) = Header(offset);
                if (type == NlmsgError)
                {
                    var error = -BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(offset + HeaderSize));
                    return error == 2 ? 0 : error; // ENOENT: it closed meanwhile
                }

                offset += Align(size);
            }
        }
    }

    public void Dispose() => Close(_fd);

    private void ReadDump(int port, List<BrokerSocket> sockets)
    {
        while (true)
        {
            var length = Receive();
            for (var offset = 0; offset + HeaderSize <= length;)
            {
                var (size, type) = Header(offset);
                if (size < HeaderSize || type == NlmsgDone)
                {
                    return;
                }

                if (type == NlmsgError)
                {
                    var errno = -BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(offset + HeaderSize));
                    throw new IOException($"socket diagnostics dump failed: errno {errno}");
                }

                if (type == SockDiagByFamily && Parse(_buffer.AsSpan(offset + HeaderSize, size - HeaderSize), port) is { } socket)
                {
                    sockets.Add(socket);
                }

                offset += Align(size);
            }
        }
    }

    private static BrokerSocket? Parse(ReadOnlySpan<byte> message, int port)
    {
        if (message.Length < DiagMessageSize)
        {
            return null;
        }

        var family = message[0];
        var id = message.Slice(4, SockIdSize);
        if (BinaryPrimitives.ReadUInt16BigEndian(id) != port)
        {
            return null;
        }

        var remotePort = BinaryPrimitives.ReadUInt16BigEndian(id[2..]);
        var address = family == AfInet ? new IPAddress(id.Slice(20, 4)) : new IPAddress(id.Slice(20, 16));
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        for (var offset = DiagMessageSize; offset + 4 <= message.Length;)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(message[offset..]);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(message[(offset + 2)..]);
            if (length < 4)
            {
                break;
            }

            if (type == InetDiagInfo && length >= 4 + LastDataRecvOffset + 4)
            {
                var sinceLastData = BinaryPrimitives.ReadUInt32LittleEndian(message[(offset + 4 + LastDataRecvOffset)..]);
                return new BrokerSocket(new IPEndPoint(address, remotePort), TimeSpan.FromMilliseconds(sinceLastData), id.ToArray(), family);
            }

            offset += Align(length);
        }

        return null;
    }

    private byte[] Request(ushort type, ushort flags, byte family, uint states, byte extensions, byte[]? socketId)
    {
        var request = new byte[RequestSize];
        var span = request.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, RequestSize);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], ++_sequence);
        span[HeaderSize] = family;
        span[HeaderSize + 1] = IpProtoTcp;
        span[HeaderSize + 2] = extensions;
        BinaryPrimitives.WriteUInt32LittleEndian(span[(HeaderSize + 4)..], states);
        socketId?.CopyTo(span[(HeaderSize + 8)..]);
        return request;
    }

    private (int Size, ushort Type) Header(int offset) =>
        ((int)BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(offset)), BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(offset + 4)));

    private static int Align(int size) => (size + 3) & ~3;

    private void Send(byte[] request)
    {
        if (SendTo(_fd, request, request.Length, 0) < 0)
        {
            throw new IOException($"socket diagnostics request failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private int Receive()
    {
        var length = (int)Recv(_fd, _buffer, _buffer.Length, 0);
        return length < 0 ? throw new IOException($"socket diagnostics answer failed: errno {Marshal.GetLastPInvokeError()}") : length;
    }

    [DllImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static extern int Socket(int domain, int type, int protocol);

    [DllImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static extern int SetSockOpt(int fd, int level, int name, byte[] value, int length);

    [DllImport("libc", EntryPoint = "send", SetLastError = true)]
    private static extern nint SendTo(int fd, byte[] buffer, nint length, int flags);

    [DllImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static extern nint Recv(int fd, [Out] byte[] buffer, nint length, int flags);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
