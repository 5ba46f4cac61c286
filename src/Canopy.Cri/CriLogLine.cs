using System.Globalization;

namespace Canopy.Cri;

/// <summary>
/// One line of a CRI container log file: <c>&lt;RFC 3339 time&gt; &lt;stdout|stderr&gt; &lt;tag&gt; &lt;message&gt;</c>,
/// e.g. <c>2026-11-21T23:19:41.920476783Z stderr F message</c>. Tag <c>F</c> is a full line, <c>P</c> a part of a line
/// the runtime split (a long line, or output without a newline yet); the parts concatenate to the original line.
/// </summary>
public static class CriLogLine
{
    /// <summary>Parses one line (without its newline). False for anything not in the format.</summary>
    /// <param name="time">Precision is cut to .NET's 100 ns; the runtime writes nanoseconds.</param>
    public static bool TryParse(string line, out DateTimeOffset time, out string stream, out bool partial, out string message)
    {
        time = default;
        stream = string.Empty;
        partial = false;
        message = string.Empty;
        if (string.IsNullOrEmpty(line))
        {
            return false;
        }

        var span = line.AsSpan().TrimEnd('\r');
        var first = span.IndexOf(' ');
        if (first <= 0 || !TryParseTime(span[..first], out var parsedTime))
        {
            return false;
        }

        var rest = span[(first + 1)..];
        var second = rest.IndexOf(' ');
        if (second <= 0)
        {
            return false;
        }

        var streamSpan = rest[..second];
        if (streamSpan is not ("stdout" or "stderr"))
        {
            return false;
        }

        rest = rest[(second + 1)..];
        // Tags are ':'-separated; the first says full or partial (later ones are reserved).
        var third = rest.IndexOf(' ');
        var tags = third < 0 ? rest : rest[..third];
        var firstTag = tags.IndexOf(':') is var colon and >= 0 ? tags[..colon] : tags;
        if (firstTag is not ("F" or "P"))
        {
            return false;
        }

        time = parsedTime;
        stream = streamSpan.ToString();
        partial = firstTag is "P";
        // An empty line is written as "<time> <stream> F " (or without the trailing space by some writers).
        message = third < 0 ? string.Empty : rest[(third + 1)..].ToString();
        return true;
    }

    /// <summary>
    /// RFC 3339 with 0 to 9 fraction digits (Go's RFC3339Nano drops trailing zeros) and <c>Z</c> or <c>±hh:mm</c>;
    /// .NET's parser stops at 7 digits, so the fraction is taken apart by hand.
    /// </summary>
    private static bool TryParseTime(ReadOnlySpan<char> text, out DateTimeOffset time)
    {
        time = default;
        const int secondsLength = 19; // yyyy-MM-ddTHH:mm:ss
        if (text.Length < secondsLength + 1 || text[10] != 'T')
        {
            return false;
        }

        var rest = text[secondsLength..];
        long fractionTicks = 0;
        if (rest[0] == '.')
        {
            var digits = 1;
            while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
            {
                digits++;
            }

            var fraction = rest[1..digits];
            if (fraction.IsEmpty)
            {
                return false;
            }

            // Ticks are 100 ns = 7 digits: pad or cut the fraction to that.
            Span<char> seven = stackalloc char[7];
            seven.Fill('0');
            fraction[..Math.Min(7, fraction.Length)].CopyTo(seven);
            fractionTicks = long.Parse(seven, NumberStyles.None, CultureInfo.InvariantCulture);
            rest = rest[digits..];
        }

        TimeSpan offset;
        if (rest is "Z" or "z")
        {
            offset = TimeSpan.Zero;
        }
        else if (rest.Length == 6 && rest[0] is '+' or '-' && rest[3] == ':'
                 && int.TryParse(rest[1..3], NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
                 && int.TryParse(rest[4..6], NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
                 && hours < 24 && minutes < 60)
        {
            offset = new TimeSpan(hours, minutes, 0);
            if (rest[0] == '-')
            {
                offset = -offset;
            }
        }
        else
        {
            return false;
        }

        if (!DateTime.TryParseExact(text[..secondsLength], "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var seconds))
        {
            return false;
        }

        time = new DateTimeOffset(seconds.AddTicks(fractionTicks), offset);
        return true;
    }
}
