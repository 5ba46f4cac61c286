namespace Canopy.Mqtt.Packets;

/// <summary>Base of all control packets. Encoding is fixed header + <see cref="WriteBody"/>.</summary>
internal abstract class MqttPacket
{
    public abstract MqttPacketType Type { get; }

    /// <summary>Lower nibble of the fixed header.</summary>
    public virtual byte Flags => 0;

    /// <summary>The "remaining length": size of variable header plus payload.</summary>
    public abstract int GetBodyLength();

    /// <summary>Writes variable header and payload; <paramref name="destination"/> is exactly <see cref="GetBodyLength"/> long.</summary>
    public abstract void WriteBody(Span<byte> destination);

    public override string ToString() => Type.ToString();
}
