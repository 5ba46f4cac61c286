namespace Canopy.Mqtt.Packets;

/// <summary>SUBSCRIBE: one or more topic filters with requested QoS.</summary>
internal sealed class SubscribePacket : MqttPacket
{
    public SubscribePacket(ushort packetId, IReadOnlyList<MqttTopicSubscription> subscriptions)
    {
        if (subscriptions.Count == 0)
        {
            throw new ArgumentException("SUBSCRIBE needs at least one topic filter.", nameof(subscriptions));
        }

        PacketId = packetId;
        Subscriptions = subscriptions;
    }

    public override MqttPacketType Type => MqttPacketType.Subscribe;

    public override byte Flags => 0x02;

    public ushort PacketId { get; }

    public IReadOnlyList<MqttTopicSubscription> Subscriptions { get; }

    public override int GetBodyLength()
    {
        var length = 2;
        foreach (var subscription in Subscriptions)
        {
            length += MqttString.GetSize(subscription.Filter) + 1;
        }

        return length;
    }

    public override void WriteBody(Span<byte> destination)
    {
        var writer = new MqttBodyWriter(destination);
        writer.WriteUInt16(PacketId);
        foreach (var subscription in Subscriptions)
        {
            writer.WriteString(subscription.Filter);
            writer.WriteByte((byte)subscription.Qos);
        }
    }

    public static SubscribePacket Decode(ReadOnlySpan<byte> body)
    {
        var reader = new MqttBodyReader(body);
        var id = reader.ReadUInt16();
        var subscriptions = new List<MqttTopicSubscription>();
        while (reader.Remaining > 0)
        {
            var filter = reader.ReadString();
            var qos = reader.ReadByte();
            if (qos > 2)
            {
                throw new MqttProtocolException($"SUBSCRIBE with invalid QoS byte 0x{qos:X2}.");
            }

            subscriptions.Add(new MqttTopicSubscription(filter, (MqttQos)qos));
        }

        if (subscriptions.Count == 0)
        {
            throw new MqttProtocolException("SUBSCRIBE without topic filters.");
        }

        return new SubscribePacket(id, subscriptions);
    }
}
