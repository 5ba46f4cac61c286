namespace Canopy.Mqtt.Packets;

/// <summary>PUBLISH. For decoded packets <see cref="Payload"/> is a slice of the packet's own body buffer.</summary>
internal sealed class PublishPacket : MqttPacket
{
    public PublishPacket(string topic, ReadOnlyMemory<byte> payload, MqttQos qos, bool retain, ushort packetId = 0, bool dup = false)
    {
        if (qos != MqttQos.AtMostOnce && packetId == 0)
        {
            throw new ArgumentException("QoS 1 PUBLISH needs a non-zero packet identifier.", nameof(packetId));
        }

        Topic = topic;
        Payload = payload;
        Qos = qos;
        Retain = retain;
        PacketId = qos == MqttQos.AtMostOnce ? (ushort)0 : packetId;
        Dup = dup;
    }

    public override MqttPacketType Type => MqttPacketType.Publish;

    public override byte Flags => (byte)((Dup ? 0x08 : 0) | ((byte)Qos << 1) | (Retain ? 0x01 : 0));

    public string Topic { get; }

    public ReadOnlyMemory<byte> Payload { get; }

    public MqttQos Qos { get; }

    public bool Retain { get; }

    public bool Dup { get; }

    public ushort PacketId { get; }

    /// <summary>The same message flagged as a re-delivery (DUP=1), same packet identifier.</summary>
    public PublishPacket AsDuplicate() => Dup ? this : new PublishPacket(Topic, Payload, Qos, Retain, PacketId, dup: true);

    /// <summary>Size of topic and packet identifier (everything in the body except the payload).</summary>
    public int GetVariableHeaderLength() => MqttString.GetSize(Topic) + (Qos == MqttQos.AtMostOnce ? 0 : 2);

    public override int GetBodyLength()
    {
        var length = (long)GetVariableHeaderLength() + Payload.Length;
        return length <= RemainingLength.MaxValue
            ? (int)length
            : throw new ArgumentException($"PUBLISH packet exceeds the MQTT maximum of {RemainingLength.MaxValue} bytes.");
    }

    public override void WriteBody(Span<byte> destination)
    {
        var headerLength = WriteVariableHeader(destination);
        Payload.Span.CopyTo(destination[headerLength..]);
    }

    public int WriteVariableHeader(Span<byte> destination)
    {
        var writer = new MqttBodyWriter(destination);
        writer.WriteString(Topic);
        if (Qos != MqttQos.AtMostOnce)
        {
            writer.WriteUInt16(PacketId);
        }

        return writer.Written;
    }

    public static PublishPacket Decode(byte flags, ReadOnlyMemory<byte> body)
    {
        var qos = (flags >> 1) & 0x03;
        if (qos > 1)
        {
            throw new MqttProtocolException($"PUBLISH with QoS {qos} is not supported.");
        }

        var reader = new MqttBodyReader(body.Span);
        var topic = reader.ReadString();
        ushort packetId = 0;
        if (qos != 0)
        {
            packetId = reader.ReadUInt16();
            if (packetId == 0)
            {
                throw new MqttProtocolException("QoS 1 PUBLISH with packet identifier 0.");
            }
        }

        return new PublishPacket(topic, body[reader.Position..], (MqttQos)qos, (flags & 0x01) != 0, packetId, (flags & 0x08) != 0);
    }
}
