using System.Globalization;
using FsCheck.Xunit;

namespace Canopy.Cri.Tests.Hostile;

/// <summary>
/// A container writes whatever it likes into its log, and the runtime's framing around it is all the parser may rely on:
/// any line parses or is refused, never throws, and a framed line gives back exactly what the container wrote.
/// </summary>
public sealed class CriLogLineProperties
{
    [Property(MaxTest = 3000)]
    public void AnyLine_ParsesOrIsRefused(string? line) => CriLogLine.TryParse(line ?? "", out _, out _, out _, out _);

    [Property(MaxTest = 2000)]
    public void AnyMessage_InTheRuntimesFrame_ComesBackWhole(string? text, bool stderr, bool partial, DateTime when)
    {
        var message = (text ?? "").Replace("\n", "", StringComparison.Ordinal).TrimEnd('\r');
        var time = new DateTimeOffset(DateTime.SpecifyKind(when, DateTimeKind.Utc));
        var stream = stderr ? "stderr" : "stdout";
        var line = $"{time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)} {stream} {(partial ? "P" : "F")} {message}";

        CriLogLine.TryParse(line, out var parsedTime, out var parsedStream, out var parsedPartial, out var parsedMessage).ShouldBeTrue(line);

        parsedTime.ShouldBe(time);
        parsedStream.ShouldBe(stream);
        parsedPartial.ShouldBe(partial);
        parsedMessage.ShouldBe(message);
    }
}
