using Canopy.Mqtt.Packets;

namespace Canopy.Mqtt.Tests.Packets;

public sealed class RemainingLengthTests
{
    public static TheoryData<int, byte[]> Boundaries => new()
    {
        { 0, [0x00] },
        { 1, [0x01] },
        { 127, [0x7F] },
        { 128, [0x80, 0x01] },
        { 321, [0xC1, 0x02] },
        { 16_383, [0xFF, 0x7F] },
        { 16_384, [0x80, 0x80, 0x01] },
        { 2_097_151, [0xFF, 0xFF, 0x7F] },
        { 2_097_152, [0x80, 0x80, 0x80, 0x01] },
        { 268_435_455, [0xFF, 0xFF, 0xFF, 0x7F] },
    };

    [Theory]
    [MemberData(nameof(Boundaries))]
    public void Encodes_and_decodes_boundary_values(int value, byte[] expected)
    {
        RemainingLength.GetSize(value).ShouldBe(expected.Length);
        var buffer = new byte[4];
        var written = RemainingLength.Write(buffer, value);
        buffer[..written].ShouldBe(expected);

        RemainingLength.TryRead(expected, out var decoded, out var consumed).ShouldBeTrue();
        decoded.ShouldBe(value);
        consumed.ShouldBe(expected.Length);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(268_435_456)]
    [InlineData(int.MaxValue)]
    public void Rejects_values_outside_the_mqtt_range(int value)
    {
        Should.Throw<ArgumentOutOfRangeException>(() => RemainingLength.GetSize(value));
        Should.Throw<ArgumentOutOfRangeException>(() => RemainingLength.Write(new byte[8], value));
    }

    [Fact]
    public void Reports_incomplete_input()
    {
        RemainingLength.TryRead([0x80], out _, out _).ShouldBeFalse();
        RemainingLength.TryRead([0xFF, 0xFF, 0xFF], out _, out _).ShouldBeFalse();
        RemainingLength.TryRead([], out _, out _).ShouldBeFalse();
    }

    [Fact]
    public void Rejects_a_fifth_byte()
    {
        Should.Throw<MqttProtocolException>(() => RemainingLength.TryRead([0xFF, 0xFF, 0xFF, 0xFF, 0x7F], out _, out _));
    }
}
