using System.Text;

namespace Canopy.NodeEngine.Runtimes;

/// <summary>An instance's <c>stdout.log</c> with one rotated <c>stdout.log.1</c>.</summary>
internal static class LogFiles
{
    /// <summary>How much of a file a tail reads at most: a tail is for a look, not for an export.</summary>
    private const int MaxTailBytes = 1024 * 1024;

    /// <summary>
    /// Copies the log to <c>.1</c> and truncates it in place once it is larger than <paramref name="maxBytes"/>.
    /// The wrapper holds it with O_APPEND, so its next write lands at the new end, not at the old offset.
    /// </summary>
    public static bool RotateIfLarger(string log, string rotated, long maxBytes)
    {
        var info = new FileInfo(log);
        if (!info.Exists || info.Length <= maxBytes)
        {
            return false;
        }

        File.Copy(log, rotated, overwrite: true);
        using var stream = new FileStream(log, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        stream.SetLength(0);
        return true;
    }

    /// <summary>The last <paramref name="tail"/> lines (all when ≤ 0), reaching into <c>.1</c> when the current file has fewer.</summary>
    public static async Task<string> TailAsync(string log, string rotated, int tail, CancellationToken ct)
    {
        var lines = await LastLinesAsync(log, tail, ct).ConfigureAwait(false);
        if (tail <= 0 || lines.Count < tail)
        {
            var older = await LastLinesAsync(rotated, tail <= 0 ? 0 : tail - lines.Count, ct).ConfigureAwait(false);
            older.AddRange(lines);
            lines = older;
        }

        return lines.Count == 0 ? "" : string.Join('\n', lines) + "\n";
    }

    private static async Task<List<string>> LastLinesAsync(string path, int count, CancellationToken ct)
    {
        byte[] bytes;
        bool fromStart;
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = stream.Length;
            var take = (int)Math.Min(length, MaxTailBytes);
            fromStart = take == length;
            stream.Seek(length - take, SeekOrigin.Begin);
            bytes = new byte[take];
            await stream.ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or EndOfStreamException)
        {
            return [];
        }

        var lines = Encoding.UTF8.GetString(bytes).Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        // A read that started mid-file cut its first line.
        if (!fromStart && lines.Count > 0)
        {
            lines.RemoveAt(0);
        }

        return count > 0 && lines.Count > count ? lines.GetRange(lines.Count - count, count) : lines;
    }
}
