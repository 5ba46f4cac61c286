namespace Canopy.NodeEngine.Linux;

/// <summary>
/// Reads small kernel files (procfs, cgroupfs) into caller-owned buffers, so the 2 s loops do not allocate.
/// Their size is reported as 0 by stat, hence reading until end of file.
/// </summary>
internal static class ProcFs
{
    /// <summary>Bytes read into <paramref name="buffer"/>, or −1 when the file cannot be read (gone, no permission).</summary>
    public static int Read(string path, Span<byte> buffer)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            var total = 0;
            while (total < buffer.Length)
            {
                var n = RandomAccess.Read(handle, buffer[total..], total);
                if (n <= 0)
                {
                    break;
                }

                total += n;
            }

            return total;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>The first number in the file (cgroup single-value files), or null.</summary>
    public static long? ReadLong(string path)
    {
        Span<byte> buffer = stackalloc byte[64];
        var n = Read(path, buffer);
        if (n <= 0)
        {
            return null;
        }

        var pos = 0;
        return ParseLong(buffer[..n], ref pos);
    }

    /// <summary>The value of <c>key value</c> lines (memory.stat, cpu.stat, memory.events, memory.oom_control), or null.</summary>
    public static long? ReadKeyed(string path, ReadOnlySpan<byte> key)
    {
        Span<byte> buffer = stackalloc byte[8192];
        var n = Read(path, buffer);
        return n <= 0 ? null : FindKeyed(buffer[..n], key);
    }

    /// <summary>Finds <c>key value</c> at the start of a line.</summary>
    public static long? FindKeyed(ReadOnlySpan<byte> text, ReadOnlySpan<byte> key)
    {
        var lineStart = 0;
        while (lineStart < text.Length)
        {
            var line = text[lineStart..];
            var end = line.IndexOf((byte)'\n');
            if (end >= 0)
            {
                line = line[..end];
            }

            if (line.Length > key.Length && line.StartsWith(key) && line[key.Length] is (byte)' ' or (byte)':' or (byte)'\t')
            {
                var pos = key.Length;
                return ParseLong(line, ref pos);
            }

            if (end < 0)
            {
                break;
            }

            lineStart += end + 1;
        }

        return null;
    }

    /// <summary>Skips blanks (and ':'), then parses a non-negative decimal number; null when there is none.</summary>
    public static long? ParseLong(ReadOnlySpan<byte> text, ref int pos)
    {
        while (pos < text.Length && text[pos] is (byte)' ' or (byte)'\t' or (byte)':')
        {
            pos++;
        }

        var start = pos;
        long value = 0;
        while (pos < text.Length && text[pos] is >= (byte)'0' and <= (byte)'9')
        {
            value = (value * 10) + (text[pos] - '0');
            pos++;
        }

        return pos > start ? value : null;
    }
}
