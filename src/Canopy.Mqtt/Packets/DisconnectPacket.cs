namespace Canopy.Mqtt.Packets;

/// <summary>DISCONNECT: no variable header, no payload; a single shared instance.</summary>
internal sealed class DisconnectPacket : MqttPacket
{
    public static readonly DisconnectPacket Instance = new();

    private DisconnectPacket()
    {
    }

    public override MqttPacketType Type => MqttPacketType.Disconnect;

    public override int GetBodyLength() => 0;

    public override void WriteBody(Span<byte> destination)
    {
    }
}
