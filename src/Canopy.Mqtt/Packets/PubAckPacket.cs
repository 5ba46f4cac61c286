namespace Canopy.Mqtt.Packets;

/// <summary>PUBACK: acknowledges a QoS 1 PUBLISH.</summary>
internal sealed class PubAckPacket(ushort packetId) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.PubAck;

    public ushort PacketId { get; } = packetId;

    public override int GetBodyLength() => 2;

    public override void WriteBody(Span<byte> destination) => new MqttBodyWriter(destination).WriteUInt16(PacketId);

    public static PubAckPacket Decode(ReadOnlySpan<byte> body)
    {
        var reader = new MqttBodyReader(body);
        var id = reader.ReadUInt16();
        reader.EnsureEnd(MqttPacketType.PubAck);
        return new PubAckPacket(id);
    }
}
