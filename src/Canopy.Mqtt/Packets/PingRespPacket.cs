namespace Canopy.Mqtt.Packets;

/// <summary>PINGRESP: no variable header, no payload; a single shared instance.</summary>
internal sealed class PingRespPacket : MqttPacket
{
    public static readonly PingRespPacket Instance = new();

    private PingRespPacket()
    {
    }

    public override MqttPacketType Type => MqttPacketType.PingResp;

    public override int GetBodyLength() => 0;

    public override void WriteBody(Span<byte> destination)
    {
    }
}
