namespace Canopy.Mqtt;

/// <summary>Topic name / topic filter helpers (MQTT 3.1.1 section 4.7).</summary>
public static class MqttTopic
{
    private const int MaxUtf8Length = 65_535;

    /// <summary>
    /// True when <paramref name="topic"/> matches <paramref name="filter"/>. <c>+</c> matches exactly one level
    /// (possibly empty), a trailing <c>#</c> matches any number of levels including the parent level
    /// (<c>a/#</c> matches <c>a</c>). Filters starting with a wildcard do not match topics starting with <c>$</c>.
    /// Malformed filters or topic names never match.
    /// </summary>
    public static bool Matches(string filter, string topic)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(topic);
        if (!IsValidFilter(filter) || !IsValidTopicName(topic))
        {
            return false;
        }

        if (topic[0] == '$' && filter[0] is ('+' or '#'))
        {
            return false;
        }

        var f = filter.AsSpan();
        var t = topic.AsSpan();
        var topicExhausted = false;
        while (true)
        {
            var fSlash = f.IndexOf('/');
            var fLevel = fSlash < 0 ? f : f[..fSlash];
            if (fLevel is "#")
            {
                return true;
            }

            if (topicExhausted)
            {
                return false;
            }

            var tSlash = t.IndexOf('/');
            var tLevel = tSlash < 0 ? t : t[..tSlash];
            if (fLevel is not "+" && !fLevel.SequenceEqual(tLevel))
            {
                return false;
            }

            if (fSlash < 0)
            {
                return tSlash < 0;
            }

            f = f[(fSlash + 1)..];
            if (tSlash < 0)
            {
                topicExhausted = true;
            }
            else
            {
                t = t[(tSlash + 1)..];
            }
        }
    }

    /// <summary>True for a valid topic filter: non-empty, no NUL, <c>+</c>/<c>#</c> only as whole levels, <c>#</c> only last.</summary>
    public static bool IsValidFilter(string? filter)
    {
        if (string.IsNullOrEmpty(filter) || !HasValidLength(filter) || filter.Contains('\0'))
        {
            return false;
        }

        for (var i = 0; i < filter.Length; i++)
        {
            var c = filter[i];
            if (c is not ('+' or '#'))
            {
                continue;
            }

            var startsLevel = i == 0 || filter[i - 1] == '/';
            var endsLevel = i == filter.Length - 1 || filter[i + 1] == '/';
            if (!startsLevel || !endsLevel || (c == '#' && i != filter.Length - 1))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True for a valid topic name for PUBLISH: non-empty, no wildcards, no NUL.</summary>
    public static bool IsValidTopicName(string? topic) =>
        !string.IsNullOrEmpty(topic) && HasValidLength(topic) && topic.AsSpan().IndexOfAny('+', '#', '\0') < 0;

    private static bool HasValidLength(string value) =>
        value.Length <= MaxUtf8Length / 3 || System.Text.Encoding.UTF8.GetByteCount(value) <= MaxUtf8Length;
}
