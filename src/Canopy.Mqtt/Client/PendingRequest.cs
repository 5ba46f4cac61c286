using Canopy.Mqtt.Packets;

namespace Canopy.Mqtt;

/// <summary>A SUBSCRIBE or UNSUBSCRIBE waiting for its acknowledgement on a specific connection.</summary>
internal sealed class PendingRequest(ushort packetId, MqttConnection connection, MqttPacketType expectedAck)
{
    public ushort PacketId { get; } = packetId;

    public MqttConnection Connection { get; } = connection;

    public MqttPacketType ExpectedAck { get; } = expectedAck;

    public TaskCompletionSource<MqttPacket> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
