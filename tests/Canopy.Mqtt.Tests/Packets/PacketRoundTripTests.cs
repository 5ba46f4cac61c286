using System.Text;
using Canopy.Mqtt.Packets;

namespace Canopy.Mqtt.Tests.Packets;

public sealed class PacketRoundTripTests
{
    [Fact]
    public void Connect_minimal_matches_the_spec_bytes()
    {
        var bytes = MqttPacketEncoder.ToArray(new ConnectPacket { ClientId = "", CleanSession = true, KeepAliveSeconds = 60 });
        bytes.ShouldBe(new byte[] { 0x10, 0x0C, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x00 });
    }

    [Fact]
    public void Connect_with_all_fields_round_trips()
    {
        var original = new ConnectPacket
        {
            ClientId = "node-1",
            CleanSession = false,
            KeepAliveSeconds = 65_535,
            Username = "user",
            Password = [1, 2, 3, 0, 255],
            Will = new MqttWill("nodes/node-1/status", Encoding.UTF8.GetBytes("offline"), MqttQos.AtLeastOnce, Retain: true),
        };

        var decoded = RoundTrip<ConnectPacket>(original);

        decoded.ClientId.ShouldBe("node-1");
        decoded.CleanSession.ShouldBeFalse();
        decoded.KeepAliveSeconds.ShouldBe((ushort)65_535);
        decoded.Username.ShouldBe("user");
        decoded.Password.ShouldBe(new byte[] { 1, 2, 3, 0, 255 });
        decoded.Will.ShouldNotBeNull();
        decoded.Will.Topic.ShouldBe("nodes/node-1/status");
        decoded.Will.Payload.ShouldBe(Encoding.UTF8.GetBytes("offline"));
        decoded.Will.Qos.ShouldBe(MqttQos.AtLeastOnce);
        decoded.Will.Retain.ShouldBeTrue();
    }

    [Fact]
    public void Connect_flags_byte_is_correct()
    {
        var bytes = MqttPacketEncoder.ToArray(new ConnectPacket
        {
            ClientId = "c",
            Username = "u",
            Password = [1],
            Will = new MqttWill("w", [], MqttQos.AtLeastOnce, Retain: true),
        });

        // username | password | will retain | will QoS 1 | will | clean session
        bytes[9].ShouldBe((byte)(0x80 | 0x40 | 0x20 | 0x08 | 0x04 | 0x02));
    }

    [Fact]
    public void Connect_rejects_password_without_user_name()
    {
        Should.Throw<InvalidOperationException>(() => MqttPacketEncoder.ToArray(new ConnectPacket { ClientId = "c", Password = [1] }));
    }

    [Theory]
    [InlineData(false, MqttConnectResult.Accepted)]
    [InlineData(true, MqttConnectResult.Accepted)]
    [InlineData(false, MqttConnectResult.BadUsernameOrPassword)]
    [InlineData(false, MqttConnectResult.NotAuthorized)]
    public void ConnAck_round_trips(bool sessionPresent, MqttConnectResult result)
    {
        var bytes = MqttPacketEncoder.ToArray(new ConnAckPacket(sessionPresent, result));
        bytes.ShouldBe(new byte[] { 0x20, 0x02, sessionPresent ? (byte)1 : (byte)0, (byte)result });
        var decoded = (ConnAckPacket)MqttPacketDecoder.Decode(bytes);
        decoded.SessionPresent.ShouldBe(sessionPresent);
        decoded.ReturnCode.ShouldBe(result);
    }

    [Theory]
    [InlineData(MqttQos.AtMostOnce, false, false, (ushort)0)]
    [InlineData(MqttQos.AtLeastOnce, false, false, (ushort)1)]
    [InlineData(MqttQos.AtLeastOnce, true, true, (ushort)65_535)]
    [InlineData(MqttQos.AtMostOnce, true, false, (ushort)0)]
    public void Publish_round_trips(MqttQos qos, bool retain, bool dup, ushort packetId)
    {
        var payload = Encoding.UTF8.GetBytes("22.5 °C");
        var decoded = RoundTrip<PublishPacket>(new PublishPacket("sensors/température/室内", payload, qos, retain, packetId, dup));

        decoded.Topic.ShouldBe("sensors/température/室内");
        decoded.Payload.ToArray().ShouldBe(payload);
        decoded.Qos.ShouldBe(qos);
        decoded.Retain.ShouldBe(retain);
        decoded.Dup.ShouldBe(dup);
        decoded.PacketId.ShouldBe(packetId);
    }

    [Fact]
    public void Publish_fixed_header_flags()
    {
        var bytes = MqttPacketEncoder.ToArray(new PublishPacket("a", new byte[] { 9 }, MqttQos.AtLeastOnce, retain: true, packetId: 0x0102, dup: true));
        bytes.ShouldBe(new byte[] { 0x3B, 0x06, 0x00, 0x01, (byte)'a', 0x01, 0x02, 9 });
    }

    [Fact]
    public void Publish_with_empty_payload_round_trips()
    {
        var decoded = RoundTrip<PublishPacket>(new PublishPacket("retained/clear", ReadOnlyMemory<byte>.Empty, MqttQos.AtMostOnce, retain: true));
        decoded.Payload.Length.ShouldBe(0);
        decoded.Retain.ShouldBeTrue();
    }

    /// <summary>Publish bodies whose remaining length hits every varint boundary (topic "t" = 3 bytes, QoS 0).</summary>
    [Theory]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(16_383)]
    [InlineData(16_384)]
    [InlineData(2_097_151)]
    [InlineData(2_097_152)]
    public void Publish_remaining_length_boundaries_round_trip(int bodyLength)
    {
        var payload = new byte[bodyLength - 3];
        payload.AsSpan().Fill(0xA5);
        var bytes = MqttPacketEncoder.ToArray(new PublishPacket("t", payload, MqttQos.AtMostOnce, retain: false));

        bytes.Length.ShouldBe(1 + RemainingLength.GetSize(bodyLength) + bodyLength);
        var decoded = (PublishPacket)MqttPacketDecoder.Decode(bytes);
        decoded.Topic.ShouldBe("t");
        decoded.Payload.Length.ShouldBe(payload.Length);
        decoded.Payload.Span.IndexOfAnyExcept((byte)0xA5).ShouldBe(-1);
    }

    [Fact]
    public void PubAck_round_trips()
    {
        MqttPacketEncoder.ToArray(new PubAckPacket(0x1234)).ShouldBe(new byte[] { 0x40, 0x02, 0x12, 0x34 });
        RoundTrip<PubAckPacket>(new PubAckPacket(65_535)).PacketId.ShouldBe((ushort)65_535);
    }

    [Fact]
    public void Subscribe_round_trips_with_reserved_flags()
    {
        var original = new SubscribePacket(10, [new("a/+/c", MqttQos.AtMostOnce), new("nodes/#", MqttQos.AtLeastOnce)]);
        var bytes = MqttPacketEncoder.ToArray(original);
        bytes[0].ShouldBe((byte)0x82);

        var decoded = (SubscribePacket)MqttPacketDecoder.Decode(bytes);
        decoded.PacketId.ShouldBe((ushort)10);
        decoded.Subscriptions.ShouldBe([new MqttTopicSubscription("a/+/c", MqttQos.AtMostOnce), new MqttTopicSubscription("nodes/#", MqttQos.AtLeastOnce)]);
    }

    [Fact]
    public void SubAck_round_trips_including_failure()
    {
        var bytes = MqttPacketEncoder.ToArray(new SubAckPacket(7, [0x00, 0x01, SubAckPacket.Failure]));
        bytes.ShouldBe(new byte[] { 0x90, 0x05, 0x00, 0x07, 0x00, 0x01, 0x80 });
        var decoded = (SubAckPacket)MqttPacketDecoder.Decode(bytes);
        decoded.PacketId.ShouldBe((ushort)7);
        decoded.ReturnCodes.ShouldBe(new byte[] { 0x00, 0x01, 0x80 });
    }

    [Fact]
    public void Unsubscribe_round_trips()
    {
        var bytes = MqttPacketEncoder.ToArray(new UnsubscribePacket(3, ["a/b", "c/#"]));
        bytes[0].ShouldBe((byte)0xA2);
        var decoded = (UnsubscribePacket)MqttPacketDecoder.Decode(bytes);
        decoded.PacketId.ShouldBe((ushort)3);
        decoded.Filters.ShouldBe(["a/b", "c/#"]);
    }

    [Fact]
    public void UnsubAck_round_trips()
    {
        MqttPacketEncoder.ToArray(new UnsubAckPacket(0xBEEF)).ShouldBe(new byte[] { 0xB0, 0x02, 0xBE, 0xEF });
        RoundTrip<UnsubAckPacket>(new UnsubAckPacket(1)).PacketId.ShouldBe((ushort)1);
    }

    [Fact]
    public void Empty_packets_match_the_spec_bytes()
    {
        MqttPacketEncoder.ToArray(PingReqPacket.Instance).ShouldBe(new byte[] { 0xC0, 0x00 });
        MqttPacketEncoder.ToArray(PingRespPacket.Instance).ShouldBe(new byte[] { 0xD0, 0x00 });
        MqttPacketEncoder.ToArray(DisconnectPacket.Instance).ShouldBe(new byte[] { 0xE0, 0x00 });
        MqttPacketDecoder.Decode(new byte[] { 0xC0, 0x00 }).ShouldBeSameAs(PingReqPacket.Instance);
        MqttPacketDecoder.Decode(new byte[] { 0xD0, 0x00 }).ShouldBeSameAs(PingRespPacket.Instance);
        MqttPacketDecoder.Decode(new byte[] { 0xE0, 0x00 }).ShouldBeSameAs(DisconnectPacket.Instance);
    }

    public static TheoryData<string, byte[]> MalformedPackets => new()
    {
        { "SUBSCRIBE without reserved flag", [0x80, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00] },
        { "PINGRESP with body", [0xD0, 0x01, 0x00] },
        { "PUBLISH QoS 3", [0x36, 0x05, 0x00, 0x01, (byte)'a', 0x00, 0x01] },
        { "PUBLISH QoS 2 (unsupported)", [0x34, 0x05, 0x00, 0x01, (byte)'a', 0x00, 0x01] },
        { "QoS 1 PUBLISH with packet id 0", [0x32, 0x05, 0x00, 0x01, (byte)'a', 0x00, 0x00] },
        { "truncated topic", [0x30, 0x03, 0x00, 0x05, (byte)'a'] },
        { "invalid UTF-8 topic", [0x30, 0x04, 0x00, 0x02, 0xC3, 0x28] },
        { "NUL in topic", [0x30, 0x03, 0x00, 0x01, 0x00] },
        { "CONNACK reserved bits", [0x20, 0x02, 0x02, 0x00] },
        { "PUBACK too long", [0x40, 0x03, 0x00, 0x01, 0x00] },
        { "SUBACK invalid code", [0x90, 0x03, 0x00, 0x01, 0x05] },
        { "CONNECT MQTT 3.1", [0x10, 0x0E, 0x00, 0x06, (byte)'M', (byte)'Q', (byte)'I', (byte)'s', (byte)'d', (byte)'p', 0x03, 0x02, 0x00, 0x3C, 0x00, 0x00] },
        { "reserved packet type 15", [0xF0, 0x00] },
    };

    [Theory]
    [MemberData(nameof(MalformedPackets))]
    public void Rejects_malformed_packets(string description, byte[] bytes)
    {
        Should.Throw<MqttProtocolException>(() => MqttPacketDecoder.Decode(bytes), description);
    }

    [Fact]
    public void Strings_longer_than_65535_bytes_or_with_nul_cannot_be_encoded()
    {
        Should.Throw<ArgumentException>(() => MqttPacketEncoder.ToArray(new PublishPacket(new string('x', 65_536), ReadOnlyMemory<byte>.Empty, MqttQos.AtMostOnce, false)));
        Should.Throw<ArgumentException>(() => MqttPacketEncoder.ToArray(new PublishPacket("a\0b", ReadOnlyMemory<byte>.Empty, MqttQos.AtMostOnce, false)));
        MqttString.GetSize(new string('x', 65_535)).ShouldBe(65_537);
    }

    private static T RoundTrip<T>(MqttPacket packet)
        where T : MqttPacket
    {
        var bytes = MqttPacketEncoder.ToArray(packet);
        return MqttPacketDecoder.Decode(bytes).ShouldBeOfType<T>();
    }
}
