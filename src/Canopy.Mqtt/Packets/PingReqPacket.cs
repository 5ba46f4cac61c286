namespace Canopy.Mqtt.Packets;

/// <summary>PINGREQ: no variable header, no payload; a single shared instance.</summary>
internal sealed class PingReqPacket : MqttPacket
{
    public static readonly PingReqPacket Instance = new();

    private PingReqPacket()
    {
    }

    public override MqttPacketType Type => MqttPacketType.PingReq;

    public override int GetBodyLength() => 0;

    public override void WriteBody(Span<byte> destination)
    {
    }
}
