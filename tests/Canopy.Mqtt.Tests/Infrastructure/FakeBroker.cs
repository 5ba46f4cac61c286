using System.Net;
using System.Net.Sockets;
using Canopy.Mqtt.Packets;

namespace Canopy.Mqtt.Tests.Infrastructure;

/// <summary>A scripted in-process "broker" for protocol edge cases a real broker cannot be made to produce.</summary>
internal sealed class FakeBroker : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<FakeBrokerConnection> _connections = [];

    public FakeBroker() => _listener.Start();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public async Task<FakeBrokerConnection> AcceptAsync(string what = "a client connection")
    {
        var socket = await _listener.AcceptSocketAsync().Within(what);
        var connection = new FakeBrokerConnection(socket);
        lock (_connections)
        {
            _connections.Add(connection);
        }

        return connection;
    }

    /// <summary>Accepts, expects CONNECT and answers CONNACK.</summary>
    public async Task<(FakeBrokerConnection Connection, ConnectPacket Connect)> AcceptAndConnAckAsync(
        MqttConnectResult result = MqttConnectResult.Accepted, string what = "a client connection")
    {
        var connection = await AcceptAsync(what);
        var connect = await connection.ExpectAsync<ConnectPacket>();
        await connection.SendAsync(new ConnAckPacket(sessionPresent: false, result));
        return (connection, connect);
    }

    public ValueTask DisposeAsync()
    {
        _listener.Stop();
        lock (_connections)
        {
            _connections.ForEach(c => c.Dispose());
        }

        return ValueTask.CompletedTask;
    }
}
