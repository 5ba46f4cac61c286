using System.Buffers;

namespace Canopy.Mqtt.Packets;

/// <summary>
/// Reads whole packets from a stream through a small pooled buffer. PUBLISH bodies get an exactly sized
/// array that becomes the message payload; other bodies are read into a reused scratch buffer.
/// Not thread-safe: one reader loop per connection.
/// </summary>
internal sealed class MqttPacketReader : IDisposable
{
    private const int BufferSize = 4096;

    private readonly Stream _stream;
    private readonly int _maxPacketSize;
    private byte[] _buffer;
    private byte[] _scratch;
    private int _start;
    private int _end;
    private bool _disposed;

    public MqttPacketReader(Stream stream, int maxPacketSize)
    {
        _stream = stream;
        _maxPacketSize = maxPacketSize;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        _scratch = ArrayPool<byte>.Shared.Rent(256);
    }

    public async ValueTask<MqttPacket> ReadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var header = await ReadByteAsync(cancellationToken).ConfigureAwait(false);
        var length = 0;
        for (var i = 0; ; i++)
        {
            if (i == RemainingLength.MaxBytes)
            {
                throw new MqttProtocolException("Malformed remaining length: more than 4 bytes.");
            }

            var b = await ReadByteAsync(cancellationToken).ConfigureAwait(false);
            length |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        if (length > _maxPacketSize)
        {
            throw new MqttProtocolException($"Incoming packet of {length} bytes exceeds the limit of {_maxPacketSize} bytes.");
        }

        Memory<byte> body;
        if ((MqttPacketType)(header >> 4) == MqttPacketType.Publish)
        {
            body = new byte[length];
        }
        else
        {
            if (_scratch.Length < length)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
                _scratch = ArrayPool<byte>.Shared.Rent(length);
            }

            body = _scratch.AsMemory(0, length);
        }

        await ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
        return MqttPacketDecoder.Decode(header, body);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ArrayPool<byte>.Shared.Return(_buffer);
        ArrayPool<byte>.Shared.Return(_scratch);
        _buffer = [];
        _scratch = [];
    }

    private ValueTask<byte> ReadByteAsync(CancellationToken cancellationToken) =>
        _start < _end ? new ValueTask<byte>(_buffer[_start++]) : ReadByteSlowAsync(cancellationToken);

    private async ValueTask<byte> ReadByteSlowAsync(CancellationToken cancellationToken)
    {
        await FillAsync(cancellationToken).ConfigureAwait(false);
        return _buffer[_start++];
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (!destination.IsEmpty)
        {
            if (_start < _end)
            {
                var count = Math.Min(_end - _start, destination.Length);
                _buffer.AsMemory(_start, count).CopyTo(destination);
                _start += count;
                destination = destination[count..];
            }
            else if (destination.Length >= BufferSize)
            {
                // Large remainder: read straight into the destination, no double copy.
                var read = await _stream.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException("The broker closed the connection in the middle of a packet.");
                }

                destination = destination[read..];
            }
            else
            {
                await FillAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        var read = await _stream.ReadAsync(_buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new EndOfStreamException("The connection was closed by the broker.");
        }

        _start = 0;
        _end = read;
    }
}
