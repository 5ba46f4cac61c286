using System.Net;
using System.Net.Sockets;
using Canopy.Cluster.Broker.KeepAlive;
using Canopy.Testing;

namespace Canopy.Cluster.Tests.Broker.KeepAlive;

/// <summary>The kernel's socket diagnostics on real loopback sockets: the dump finds the server side, destroying it resets the client.</summary>
public sealed class SocketDiagnosticsTests
{
    [Fact]
    public async Task The_dump_lists_the_servers_socket_and_destroying_it_resets_the_client()
    {
        Environment.UserName.ShouldBe("root", "destroying a socket needs CAP_NET_ADMIN: run the tests as root");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var server = await listener.AcceptSocketAsync();
        await client.GetStream().WriteAsync(new byte[] { 0xC0, 0x00 });
        var received = new byte[2];
        await server.ReceiveAsync(received);
        using var kernel = SocketDiagnostics.TryOpen(out var errno) ?? throw new InvalidOperationException($"no socket diagnostics: errno {errno}");

        var socket = kernel.Established(port).ShouldHaveSingleItem();

        var local = (IPEndPoint)client.Client.LocalEndPoint!;
        socket.Remote.ShouldBe(new IPEndPoint(local.Address.MapToIPv4(), local.Port));
        socket.SinceLastData.ShouldBeLessThan(TimeSpan.FromMinutes(1));
        kernel.Destroy(socket).ShouldBe(0);
        kernel.Established(port).ShouldBeEmpty();
        var read = await Wait.ForAsync(async () =>
        {
            try
            {
                return await client.GetStream().ReadAsync(new byte[1]) == 0 ? "closed" : "data";
            }
            catch (IOException)
            {
                return "reset";
            }
        }, r => r != "data", TimeSpan.FromSeconds(10), "the client sees its connection end");
        read.ShouldBe("reset");
    }
}
