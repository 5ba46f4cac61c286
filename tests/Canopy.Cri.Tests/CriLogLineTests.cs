namespace Canopy.Cri.Tests;

public sealed class CriLogLineTests
{
    [Theory]
    [InlineData("2026-11-21T23:19:41.920476783Z stderr F [::ffff:10.18.0.1]:41062: response:200", "stderr", false, "[::ffff:10.18.0.1]:41062: response:200")]
    [InlineData("2026-11-21T23:19:41.920476783Z stdout P first half ", "stdout", true, "first half ")]
    [InlineData("2026-11-21T23:19:41.920476783Z stdout F ", "stdout", false, "")]
    [InlineData("2026-11-21T23:19:41.920476783Z stdout F", "stdout", false, "")]
    [InlineData("2026-11-21T23:19:41.920476783Z stdout F  two  spaces kept ", "stdout", false, " two  spaces kept ")]
    [InlineData("2026-11-21T23:19:41.920476783Z stdout F:x tagged", "stdout", false, "tagged")]
    [InlineData("2026-11-21T23:19:41.920476783Z stdout F windows line\r", "stdout", false, "windows line")]
    public void Parses_stream_tag_and_message(string line, string stream, bool partial, string message)
    {
        CriLogLine.TryParse(line, out _, out var s, out var p, out var m).ShouldBeTrue();
        s.ShouldBe(stream);
        p.ShouldBe(partial);
        m.ShouldBe(message);
    }

    [Theory]
    [InlineData("2026-11-21T23:19:41.920476783Z", 2026, 11, 21, 23, 19, 41, 9204767, 0)] // nanoseconds cut to ticks
    [InlineData("2026-11-21T23:19:41.5Z", 2026, 11, 21, 23, 19, 41, 5000000, 0)] // Go drops trailing zeros
    [InlineData("2026-11-21T23:19:41Z", 2026, 11, 21, 23, 19, 41, 0, 0)] // and the dot when the fraction is 0
    [InlineData("2026-11-21T23:19:41.123+02:00", 2026, 11, 21, 23, 19, 41, 1230000, 120)]
    [InlineData("2026-11-21T23:19:41.123-05:30", 2026, 11, 21, 23, 19, 41, 1230000, -330)]
    public void Parses_rfc3339_times_with_any_fraction(string stamp, int y, int mo, int d, int h, int mi, int s, long fractionTicks, int offsetMinutes)
    {
        CriLogLine.TryParse(stamp + " stdout F x", out var time, out _, out _, out _).ShouldBeTrue();

        var expected = new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.FromMinutes(offsetMinutes)).AddTicks(fractionTicks);
        time.ShouldBe(expected);
        time.Offset.ShouldBe(TimeSpan.FromMinutes(offsetMinutes));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello world")]
    [InlineData("2026-11-21T23:19:41.9Z")]
    [InlineData("2026-11-21T23:19:41.9Z stdout")]
    [InlineData("2026-11-21T23:19:41.9Z stdin F x")]
    [InlineData("2026-11-21T23:19:41.9Z stdout X x")]
    [InlineData("2026-11-21 23:19:41.9Z stdout F x")]
    [InlineData("2026-11-21T23:19:41.Z stdout F x")]
    [InlineData("2026-11-21T23:19:41.9 stdout F x")]
    [InlineData("2026-13-21T23:19:41.9Z stdout F x")]
    [InlineData("2026-11-21T23:19:41.9+2:00 stdout F x")]
    public void Rejects_what_is_not_a_cri_log_line(string line)
    {
        CriLogLine.TryParse(line, out _, out _, out _, out _).ShouldBeFalse();
    }
}
