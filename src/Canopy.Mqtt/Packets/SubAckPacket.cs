namespace Canopy.Mqtt.Packets;

/// <summary>SUBACK: one return code per requested filter (granted QoS, or <see cref="Failure"/>).</summary>
internal sealed class SubAckPacket(ushort packetId, byte[] returnCodes) : MqttPacket
{
    public const byte Failure = 0x80;

    public override MqttPacketType Type => MqttPacketType.SubAck;

    public ushort PacketId { get; } = packetId;

    public IReadOnlyList<byte> ReturnCodes { get; } = returnCodes;

    public override int GetBodyLength() => 2 + ReturnCodes.Count;

    public override void WriteBody(Span<byte> destination)
    {
        var writer = new MqttBodyWriter(destination);
        writer.WriteUInt16(PacketId);
        foreach (var code in ReturnCodes)
        {
            writer.WriteByte(code);
        }
    }

    public static SubAckPacket Decode(ReadOnlySpan<byte> body)
    {
        var reader = new MqttBodyReader(body);
        var id = reader.ReadUInt16();
        var codes = reader.ReadBytes(reader.Remaining).ToArray();
        if (codes.Length == 0)
        {
            throw new MqttProtocolException("SUBACK without return codes.");
        }

        foreach (var code in codes)
        {
            if (code is not (0 or 1 or 2 or Failure))
            {
                throw new MqttProtocolException($"SUBACK with invalid return code 0x{code:X2}.");
            }
        }

        return new SubAckPacket(id, codes);
    }
}
