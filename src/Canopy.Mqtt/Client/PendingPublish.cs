using Canopy.Mqtt.Packets;

namespace Canopy.Mqtt;

/// <summary>An outgoing QoS 1 message waiting for its PUBACK. Fields are guarded by the client's state lock.</summary>
internal sealed class PendingPublish(PublishPacket packet, long sequence)
{
    public PublishPacket Packet { get; } = packet;

    public ushort PacketId => Packet.PacketId;

    /// <summary>Order of PublishAsync calls; re-sends after a reconnect keep it.</summary>
    public long Sequence { get; } = sequence;

    /// <summary>Written (maybe partially) at least once: a re-send carries DUP=1.</summary>
    public bool Attempted { get; set; }

    /// <summary>The connection it was last written to; never written twice on the same connection.</summary>
    public MqttConnection? SentOn { get; set; }

    /// <summary>The caller gave up (cancelled) after it was written; dropped at the next reconnect.</summary>
    public bool Abandoned { get; set; }

    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
