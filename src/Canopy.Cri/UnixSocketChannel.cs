using System.Net.Sockets;
using Grpc.Net.Client;

namespace Canopy.Cri;

/// <summary>A gRPC channel whose HTTP/2 connections are unix socket connections to one path.</summary>
internal static class UnixSocketChannel
{
    // kubelet's limit: a ListContainers or a verbose ContainerStatus of a busy node can pass gRPC's default 4 MB.
    private const int MaxReceiveMessageSize = 16 * 1024 * 1024;

    public static GrpcChannel Create(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = (_, ct) => ConnectAsync(socketPath, ct),
            // Long calls (a pull) must not hold back short ones when the server limits concurrent streams.
            EnableMultipleHttp2Connections = true,
            // Detects a runtime that went away while a call waits on it, instead of hanging until the deadline.
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        };
        // The authority is only the :authority header; every connection goes to the socket.
        return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = MaxReceiveMessageSize,
        });
    }

    private static async ValueTask<Stream> ConnectAsync(string socketPath, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
