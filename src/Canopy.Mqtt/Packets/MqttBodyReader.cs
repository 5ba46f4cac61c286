using System.Buffers.Binary;

namespace Canopy.Mqtt.Packets;

/// <summary>Sequential, bounds-checked reader over a packet body; violations become <see cref="MqttProtocolException"/>.</summary>
internal ref struct MqttBodyReader(ReadOnlySpan<byte> body)
{
    private readonly ReadOnlySpan<byte> _body = body;
    private int _position;

    public readonly int Position => _position;

    public readonly int Remaining => _body.Length - _position;

    public byte ReadByte()
    {
        Ensure(1);
        return _body[_position++];
    }

    public ushort ReadUInt16()
    {
        Ensure(2);
        var value = BinaryPrimitives.ReadUInt16BigEndian(_body[_position..]);
        _position += 2;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        Ensure(count);
        var slice = _body.Slice(_position, count);
        _position += count;
        return slice;
    }

    /// <summary>Length-prefixed binary data (e.g. password, will payload).</summary>
    public ReadOnlySpan<byte> ReadBinary() => ReadBytes(ReadUInt16());

    public string ReadString() => MqttString.Decode(ReadBinary());

    public readonly void EnsureEnd(MqttPacketType type)
    {
        if (Remaining != 0)
        {
            throw new MqttProtocolException($"{type} packet has {Remaining} unexpected trailing bytes.");
        }
    }

    private readonly void Ensure(int count)
    {
        if (Remaining < count)
        {
            throw new MqttProtocolException("Packet is truncated.");
        }
    }
}
