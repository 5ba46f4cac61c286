namespace Canopy.Mqtt.Packets;

/// <summary>UNSUBACK.</summary>
internal sealed class UnsubAckPacket(ushort packetId) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.UnsubAck;

    public ushort PacketId { get; } = packetId;

    public override int GetBodyLength() => 2;

    public override void WriteBody(Span<byte> destination) => new MqttBodyWriter(destination).WriteUInt16(PacketId);

    public static UnsubAckPacket Decode(ReadOnlySpan<byte> body)
    {
        var reader = new MqttBodyReader(body);
        var id = reader.ReadUInt16();
        reader.EnsureEnd(MqttPacketType.UnsubAck);
        return new UnsubAckPacket(id);
    }
}
