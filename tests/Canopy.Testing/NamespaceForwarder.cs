using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Canopy.Testing;

/// <summary>
/// Listens on 127.0.0.1:PORT inside a network namespace and forwards every connection to 127.0.0.1:PORT of this (the
/// test's) namespace: the listening socket is created on a thread switched into the namespace with setns(2), the
/// outgoing ones on ordinary threads. Makes the local OCI registry (127.0.0.1:5000 here) reachable for a worker host's
/// containerd, which looks for it on its own loopback.
/// </summary>
public sealed partial class NamespaceForwarder : IDisposable
{
    private const int CloneNewNet = 0x40000000;
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
        Socket? listener = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var own = File.OpenHandle("/proc/thread-self/ns/net");
                using var target = File.OpenHandle(Path.Combine("/run/netns", netns));
                if (SetNs((int)target.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns({netns}) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                try
                {
                    listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                    listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
                    listener.Listen(64);
                }
                finally
                {
                    if (SetNs((int)own.DangerousGetHandle(), CloneNewNet) != 0)
                    {
                        // This thread stays in the namespace: it ends here, nothing else runs on it.
                        error ??= new InvalidOperationException("setns back failed");
                    }
                }
            }
            catch (Exception e)
            {
                error = e;
                listener?.Dispose();
                listener = null;
            }
        });
        thread.Start();
        thread.Join();
        return listener is not null ? new NamespaceForwarder(listener, port) : throw new InvalidOperationException($"forwarder in {netns}: {error?.Message}", error);
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

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
