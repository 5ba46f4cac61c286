using System.Net;
using System.Net.Sockets;

namespace Canopy.Testing;

/// <summary>
/// Listens on 127.0.0.1:PORT inside a network namespace and forwards every connection to 127.0.0.1:PORT of this (the
/// test's) namespace: the listening socket is created inside the namespace (<see cref="NetworkNamespace"/>), the
/// outgoing ones here. Makes the local OCI registry (127.0.0.1:5000 here) reachable for a worker host's
/// containerd, which looks for it on its own loopback.
/// </summary>
public sealed class NamespaceForwarder : IDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly int _port;

    private NamespaceForwarder(Socket listener, int port)
    {
        _listener = listener;
        _port = port;
        _ = AcceptLoopAsync();
    }

    public static NamespaceForwarder Start(string netns, int port)
    {
        var listener = NetworkNamespace.Run(Path.Combine("/run/netns", netns), () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                socket.Listen(64);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        });
        return new NamespaceForwarder(listener, port);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket inbound;
            try
            {
                inbound = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = PipeAsync(inbound);
        }
    }

    private async Task PipeAsync(Socket inbound)
    {
        using var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using (inbound)
        {
            try
            {
                await outbound.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _port), _stop.Token);
                using var a = new NetworkStream(inbound, ownsSocket: false);
                using var b = new NetworkStream(outbound, ownsSocket: false);
                var up = CopyAsync(a, b, outbound);
                var down = CopyAsync(b, a, inbound);
                await Task.WhenAll(up, down);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task CopyAsync(Stream from, Stream to, Socket toSocket)
    {
        try
        {
            await from.CopyToAsync(to, _stop.Token);
            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _stop.Dispose();
    }
}
