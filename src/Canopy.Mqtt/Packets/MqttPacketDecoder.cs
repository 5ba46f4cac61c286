namespace Canopy.Mqtt.Packets;

/// <summary>Decodes a packet from its fixed-header byte and complete body.</summary>
internal static class MqttPacketDecoder
{
    /// <remarks>
    /// Only a decoded PUBLISH keeps a reference to <paramref name="body"/> (its payload); all other packets copy
    /// what they keep, so their body may live in a reused buffer.
    /// </remarks>
    public static MqttPacket Decode(byte fixedHeader, ReadOnlyMemory<byte> body)
    {
        var type = (MqttPacketType)(fixedHeader >> 4);
        var flags = (byte)(fixedHeader & 0x0F);
        if (type == MqttPacketType.Publish)
        {
            return PublishPacket.Decode(flags, body);
        }

        var expectedFlags = type is MqttPacketType.Subscribe or MqttPacketType.Unsubscribe or MqttPacketType.PubRel ? 0x02 : 0x00;
        if (flags != expectedFlags)
        {
            throw new MqttProtocolException($"Invalid fixed-header flags 0x{flags:X} for {type}.");
        }

        var span = body.Span;
        return type switch
        {
            MqttPacketType.Connect => ConnectPacket.Decode(span),
            MqttPacketType.ConnAck => ConnAckPacket.Decode(span),
            MqttPacketType.PubAck => PubAckPacket.Decode(span),
            MqttPacketType.Subscribe => SubscribePacket.Decode(span),
            MqttPacketType.SubAck => SubAckPacket.Decode(span),
            MqttPacketType.Unsubscribe => UnsubscribePacket.Decode(span),
            MqttPacketType.UnsubAck => UnsubAckPacket.Decode(span),
            MqttPacketType.PingReq => Empty(PingReqPacket.Instance, span),
            MqttPacketType.PingResp => Empty(PingRespPacket.Instance, span),
            MqttPacketType.Disconnect => Empty(DisconnectPacket.Instance, span),
            _ => throw new MqttProtocolException($"Unsupported packet type {(int)type}."),
        };
    }

    /// <summary>Decodes a complete packet (fixed header included); for tests and tools.</summary>
    public static MqttPacket Decode(ReadOnlyMemory<byte> packet)
    {
        var span = packet.Span;
        if (span.Length < 2 || !RemainingLength.TryRead(span[1..], out var length, out var consumed))
        {
            throw new MqttProtocolException("Incomplete fixed header.");
        }

        if (span.Length != 1 + consumed + length)
        {
            throw new MqttProtocolException($"Remaining length {length} does not match {span.Length - 1 - consumed} body bytes.");
        }

        return Decode(span[0], packet[(1 + consumed)..]);
    }

    private static MqttPacket Empty(MqttPacket packet, ReadOnlySpan<byte> body) =>
        body.IsEmpty ? packet : throw new MqttProtocolException($"{packet.Type} must not have a body.");
}
