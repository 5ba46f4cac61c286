using Canopy.Mqtt.Packets;

namespace Canopy.Mqtt.Tests.Packets;

public sealed class MqttPacketReaderTests
{
    [Fact]
    public async Task Reads_a_sequence_of_packets_arriving_one_byte_at_a_time()
    {
        var big = new byte[100_000];
        Random.Shared.NextBytes(big);
        var stream = new TrickleStream(Concat(
            MqttPacketEncoder.ToArray(new ConnAckPacket(false, MqttConnectResult.Accepted)),
            MqttPacketEncoder.ToArray(new PublishPacket("a/b", big, MqttQos.AtLeastOnce, false, 42)),
            MqttPacketEncoder.ToArray(PingRespPacket.Instance),
            MqttPacketEncoder.ToArray(new SubAckPacket(5, [1]))), chunk: 1);
        using var reader = new MqttPacketReader(stream, RemainingLength.MaxValue);

        (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<ConnAckPacket>();
        var publish = (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<PublishPacket>();
        publish.PacketId.ShouldBe((ushort)42);
        publish.Payload.Span.SequenceEqual(big).ShouldBeTrue();
        (await reader.ReadAsync(CancellationToken.None)).ShouldBeSameAs(PingRespPacket.Instance);
        (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<SubAckPacket>().PacketId.ShouldBe((ushort)5);
    }

    [Fact]
    public async Task Reads_large_payloads_arriving_in_big_chunks()
    {
        var big = new byte[3_000_000];
        Random.Shared.NextBytes(big);
        var stream = new TrickleStream(Concat(
            MqttPacketEncoder.ToArray(new PublishPacket("x", big, MqttQos.AtMostOnce, false)),
            MqttPacketEncoder.ToArray(new PublishPacket("y", new byte[] { 1 }, MqttQos.AtMostOnce, false))), chunk: 65_536);
        using var reader = new MqttPacketReader(stream, RemainingLength.MaxValue);

        (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<PublishPacket>().Payload.Span.SequenceEqual(big).ShouldBeTrue();
        (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<PublishPacket>().Topic.ShouldBe("y");
    }

    [Fact]
    public async Task Payloads_of_subsequent_messages_do_not_share_memory()
    {
        var stream = new MemoryStream(Concat(
            MqttPacketEncoder.ToArray(new PublishPacket("a", new byte[] { 1, 1 }, MqttQos.AtMostOnce, false)),
            MqttPacketEncoder.ToArray(new PublishPacket("a", new byte[] { 2, 2 }, MqttQos.AtMostOnce, false))));
        using var reader = new MqttPacketReader(stream, 1024);

        var first = (PublishPacket)await reader.ReadAsync(CancellationToken.None);
        var second = (PublishPacket)await reader.ReadAsync(CancellationToken.None);
        first.Payload.ToArray().ShouldBe(new byte[] { 1, 1 });
        second.Payload.ToArray().ShouldBe(new byte[] { 2, 2 });
    }

    [Fact]
    public async Task End_of_stream_in_the_middle_of_a_packet_throws()
    {
        var bytes = MqttPacketEncoder.ToArray(new PublishPacket("a", new byte[50], MqttQos.AtMostOnce, false));
        using var reader = new MqttPacketReader(new MemoryStream(bytes[..20]), 1024);
        await Should.ThrowAsync<EndOfStreamException>(() => reader.ReadAsync(CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Packets_above_the_size_limit_are_rejected_before_allocation()
    {
        using var reader = new MqttPacketReader(new MemoryStream([0x30, 0xFF, 0xFF, 0xFF, 0x7F]), 1024);
        await Should.ThrowAsync<MqttProtocolException>(() => reader.ReadAsync(CancellationToken.None).AsTask());
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>Returns at most <c>chunk</c> bytes per read, like a slow network.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }
}
