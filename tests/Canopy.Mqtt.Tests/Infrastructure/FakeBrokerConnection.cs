using System.Net.Sockets;
using Canopy.Mqtt.Packets;

namespace Canopy.Mqtt.Tests.Infrastructure;

/// <summary>The server side of one client connection to a <see cref="FakeBroker"/>.</summary>
internal sealed class FakeBrokerConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly MqttPacketReader _reader;

    public FakeBrokerConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new MqttPacketReader(_stream, RemainingLength.MaxValue);
    }

    public Task<MqttPacket> ReadAsync() => _reader.ReadAsync(CancellationToken.None).AsTask();

    public async Task<T> ExpectAsync<T>(TimeSpan? timeout = null)
        where T : MqttPacket
    {
        var packet = await ReadAsync().Within($"a {typeof(T).Name} from the client", timeout);
        return packet.ShouldBeOfType<T>();
    }

    public async Task SendAsync(MqttPacket packet) => await _stream.WriteAsync(MqttPacketEncoder.ToArray(packet));

    /// <summary>Drops the TCP connection with a reset.</summary>
    public void Abort()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Dispose();
    }

    public void Dispose()
    {
        // The reader is not disposed: a read may still be pending; its pooled buffers are simply not returned.
        _stream.Dispose();
    }
}
