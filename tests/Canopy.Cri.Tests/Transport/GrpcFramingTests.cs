using Canopy.Cri.Transport;
using Canopy.Cri.V1;
using Google.Protobuf;

namespace Canopy.Cri.Tests.Transport;

public sealed class GrpcFramingTests
{
    [Fact]
    public void Encode_writes_uncompressed_flag_and_big_endian_length_before_the_message()
    {
        var message = new VersionRequest { Version = "v1" };

        var frame = GrpcFraming.Encode(message);

        var bytes = message.ToByteArray();
        frame.Length.ShouldBe(5 + bytes.Length);
        frame[0].ShouldBe((byte)0);
        frame[1..5].ShouldBe(new byte[] { 0, 0, 0, (byte)bytes.Length });
        frame[5..].ShouldBe(bytes);
    }

    [Fact]
    public void Encode_of_an_empty_message_is_just_the_prefix()
    {
        GrpcFraming.Encode(new StatusRequest()).ShouldBe(new byte[] { 0, 0, 0, 0, 0 });
    }

    [Fact]
    public void Length_above_255_uses_all_four_bytes()
    {
        var message = new VersionResponse { RuntimeName = new string('x', 70_000) };

        var frame = GrpcFraming.Encode(message);

        var length = message.CalculateSize();
        frame[1..5].ShouldBe(new[] { (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length });
        VersionResponse.Parser.ParseFrom(GrpcFraming.Decode(frame).Single().Span).RuntimeName.Length.ShouldBe(70_000);
    }

    [Fact]
    public void Decode_splits_several_frames_including_empty_ones()
    {
        var a = GrpcFraming.Encode(new VersionResponse { RuntimeName = "containerd" });
        var empty = GrpcFraming.Encode(new StopPodSandboxResponse());
        var b = GrpcFraming.Encode(new VersionResponse { RuntimeVersion = "1.6.20" });

        var frames = GrpcFraming.Decode(a.Concat(empty).Concat(b).ToArray());

        frames.Count.ShouldBe(3);
        VersionResponse.Parser.ParseFrom(frames[0].Span).RuntimeName.ShouldBe("containerd");
        frames[1].Length.ShouldBe(0);
        VersionResponse.Parser.ParseFrom(frames[2].Span).RuntimeVersion.ShouldBe("1.6.20");
    }

    [Fact]
    public void Decode_of_an_empty_body_is_no_frames()
    {
        GrpcFraming.Decode(ReadOnlyMemory<byte>.Empty).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0 })] // prefix cut short
    [InlineData(new byte[] { 0, 0, 0, 0, 3, 1, 2 })] // 3 announced, 2 present
    [InlineData(new byte[] { 1, 0, 0, 0, 0 })] // compressed flag
    public void Decode_rejects_broken_frames(byte[] body)
    {
        Should.Throw<InvalidDataException>(() => GrpcFraming.Decode(body));
    }
}
