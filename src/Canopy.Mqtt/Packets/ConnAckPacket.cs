namespace Canopy.Mqtt.Packets;

/// <summary>CONNACK: session-present flag and return code.</summary>
internal sealed class ConnAckPacket(bool sessionPresent, MqttConnectResult returnCode) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.ConnAck;

    public bool SessionPresent { get; } = sessionPresent;

    public MqttConnectResult ReturnCode { get; } = returnCode;

    public override int GetBodyLength() => 2;

    public override void WriteBody(Span<byte> destination)
    {
        destination[0] = SessionPresent ? (byte)1 : (byte)0;
        destination[1] = (byte)ReturnCode;
    }

    public static ConnAckPacket Decode(ReadOnlySpan<byte> body)
    {
        var reader = new MqttBodyReader(body);
        var ackFlags = reader.ReadByte();
        var code = reader.ReadByte();
        reader.EnsureEnd(MqttPacketType.ConnAck);
        if ((ackFlags & 0xFE) != 0)
        {
            throw new MqttProtocolException("CONNACK reserved flags are set.");
        }

        return new ConnAckPacket((ackFlags & 1) != 0, (MqttConnectResult)code);
    }
}
