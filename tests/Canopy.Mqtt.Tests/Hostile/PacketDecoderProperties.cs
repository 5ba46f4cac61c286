using Canopy.Mqtt.Packets;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Canopy.Mqtt.Tests.Hostile;

/// <summary>
/// Whatever bytes arrive, the decoder answers with a packet or a protocol error: anything else (an index out of range, an
/// overflow) would kill the connection's reader with an unexpected exception, and in the cluster a node could do it on purpose.
/// </summary>
public sealed class PacketDecoderProperties
{
    private static readonly byte[][] ValidPackets =
    [
        MqttPacketEncoder.ToArray(new PublishPacket("nodes/n1/information", new byte[] { 1, 2, 3 }, MqttQos.AtLeastOnce, true, 7)),
        MqttPacketEncoder.ToArray(new PublishPacket("x", ReadOnlyMemory<byte>.Empty, MqttQos.AtMostOnce, false)),
        MqttPacketEncoder.ToArray(new SubAckPacket(5, [1, 0x80])),
        MqttPacketEncoder.ToArray(new ConnAckPacket(true, MqttConnectResult.Accepted)),
        MqttPacketEncoder.ToArray(new PubAckPacket(9)),
        MqttPacketEncoder.ToArray(PingRespPacket.Instance),
    ];

    [Property(MaxTest = 2000)]
    public void AnyBody_DecodesOrIsAProtocolError(byte fixedHeader, byte[] body) =>
        DecodesOrRefuses(() => MqttPacketDecoder.Decode(fixedHeader, body));

    [Property(MaxTest = 2000)]
    public void AnyPacketBytes_DecodeOrAreAProtocolError(byte[] packet) =>
        DecodesOrRefuses(() => MqttPacketDecoder.Decode(packet));

    [Fact]
    public void MutatedValidPackets_DecodeOrAreAProtocolError()
    {
        var mutations = (from packet in Gen.Elements(ValidPackets)
                         from position in Gen.Choose(0, 1000)
                         from value in ArbMap.Default.GeneratorFor<byte>()
                         from cut in Gen.Choose(0, 3)
                         select Mutate(packet, position, value, cut)).ToArbitrary();

        Prop.ForAll(mutations, bytes => DecodesOrRefuses(() => MqttPacketDecoder.Decode(bytes))).Check(Config.QuickThrowOnFailure.WithMaxTest(3000));
    }

    [Property(MaxTest = 500)]
    public void Publish_RoundTrips(NonEmptyString topic, byte[] payload, bool retain, ushort id)
    {
        var name = new string(topic.Get.Where(c => c is not ('\0' or '+' or '#') && !char.IsSurrogate(c)).ToArray());
        if (name.Length == 0 || id == 0)
        {
            return;
        }

        var sent = new PublishPacket(name, payload, MqttQos.AtLeastOnce, retain, id);
        var received = (PublishPacket)MqttPacketDecoder.Decode(MqttPacketEncoder.ToArray(sent));

        received.Topic.ShouldBe(name);
        received.Payload.ToArray().ShouldBe(payload);
        received.Retain.ShouldBe(retain);
        received.PacketId.ShouldBe(id);
    }

    [Property(MaxTest = 300)]
    public async Task AnyStream_ReadsPacketsOrFailsCleanly(byte[] bytes)
    {
        using var reader = new MqttPacketReader(new MemoryStream(bytes), maxPacketSize: 4096);
        try
        {
            for (var i = 0; i < 64; i++)
            {
                await reader.ReadAsync(CancellationToken.None);
            }
        }
        catch (Exception e) when (e is MqttProtocolException or EndOfStreamException)
        {
            // A broken or short stream ends the connection; that is the whole point.
        }
    }

    private static byte[] Mutate(byte[] packet, int position, byte value, int cut)
    {
        var copy = packet.ToArray();
        copy[position % copy.Length] = value;
        return cut == 0 || copy.Length < 2 ? copy : copy[..(copy.Length - 1 - position % (copy.Length - 1))];
    }

    private static void DecodesOrRefuses(Func<MqttPacket> decode)
    {
        try
        {
            decode().ShouldNotBeNull();
        }
        catch (MqttProtocolException)
        {
            // Refused as malformed: the caller closes the connection.
        }
    }
}
