using System.Text;
using Canopy.Cri;

namespace Canopy.NodeEngine.Runtimes.Container;

/// <summary>
/// Reads a container's log as the workload wrote it: containerd writes each line as
/// <c>&lt;time&gt; &lt;stream&gt; &lt;F|P&gt; &lt;message&gt;</c> and splits long lines into partial (P) pieces, which are joined again here.
/// </summary>
internal static class ContainerLogs
{
    /// <summary>The last <paramref name="tail"/> messages (all when ≤ 0) of stdout and stderr, interleaved as written, one a line.</summary>
    public static async Task<string> TailAsync(string log, string rotated, int tail, CancellationToken ct)
    {
        // Each file is read up to LogFiles' bound; the raw lines outnumber the messages only by the partial pieces.
        var raw = await LogFiles.TailAsync(log, rotated, 0, ct).ConfigureAwait(false);
        var messages = Parse(raw.Split('\n'));
        if (tail > 0 && messages.Count > tail)
        {
            messages = messages.GetRange(messages.Count - tail, tail);
        }

        return messages.Count == 0 ? "" : string.Join('\n', messages) + "\n";
    }

    public static List<string> Parse(IEnumerable<string> lines)
    {
        var messages = new List<string>();

        // Partial pieces belong to their stream: a stderr line may come between the pieces of a stdout line.
        var pending = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (!CriLogLine.TryParse(line, out _, out var stream, out var partial, out var message))
            {
                // Not in the CRI format (a file cut mid-line by rotation): shown as it is rather than lost.
                messages.Add(line);
                continue;
            }

            if (!pending.TryGetValue(stream, out var text))
            {
                text = pending[stream] = new StringBuilder();
            }

            text.Append(message);
            if (!partial)
            {
                messages.Add(text.ToString());
                text.Clear();
            }
        }

        messages.AddRange(pending.Values.Where(t => t.Length > 0).Select(t => t.ToString()));

        return messages;
    }
}
