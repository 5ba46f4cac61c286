using System.Buffers.Binary;

namespace Canopy.Mqtt.Packets;

/// <summary>Sequential writer into a span sized by <see cref="MqttPacket.GetBodyLength"/>.</summary>
internal ref struct MqttBodyWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;
    private int _position;

    public readonly int Written => _position;

    public void WriteByte(byte value) => _destination[_position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_destination[_position..], value);
        _position += 2;
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_destination[_position..]);
        _position += value.Length;
    }

    /// <summary>Length-prefixed binary data.</summary>
    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        WriteUInt16(checked((ushort)value.Length));
        WriteBytes(value);
    }

    /// <summary>Length-prefixed UTF-8 string; the caller sized it with <see cref="MqttString.GetSize"/>.</summary>
    public void WriteString(string value)
    {
        var length = MqttString.Encode(value, _destination[(_position + 2)..]);
        BinaryPrimitives.WriteUInt16BigEndian(_destination[_position..], (ushort)length);
        _position += 2 + length;
    }
}
