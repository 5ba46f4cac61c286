namespace Canopy.Mqtt.Packets;

/// <summary>UNSUBSCRIBE: one or more topic filters.</summary>
internal sealed class UnsubscribePacket : MqttPacket
{
    public UnsubscribePacket(ushort packetId, IReadOnlyList<string> filters)
    {
        if (filters.Count == 0)
        {
            throw new ArgumentException("UNSUBSCRIBE needs at least one topic filter.", nameof(filters));
        }

        PacketId = packetId;
        Filters = filters;
    }

    public override MqttPacketType Type => MqttPacketType.Unsubscribe;

    public override byte Flags => 0x02;

    public ushort PacketId { get; }

    public IReadOnlyList<string> Filters { get; }

    public override int GetBodyLength()
    {
        var length = 2;
        foreach (var filter in Filters)
        {
            length += MqttString.GetSize(filter);
        }

        return length;
    }

    public override void WriteBody(Span<byte> destination)
    {
        var writer = new MqttBodyWriter(destination);
        writer.WriteUInt16(PacketId);
        foreach (var filter in Filters)
        {
            writer.WriteString(filter);
        }
    }

    public static UnsubscribePacket Decode(ReadOnlySpan<byte> body)
    {
        var reader = new MqttBodyReader(body);
        var id = reader.ReadUInt16();
        var filters = new List<string>();
        while (reader.Remaining > 0)
        {
            filters.Add(reader.ReadString());
        }

        if (filters.Count == 0)
        {
            throw new MqttProtocolException("UNSUBSCRIBE without topic filters.");
        }

        return new UnsubscribePacket(id, filters);
    }
}
