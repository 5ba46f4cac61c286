using System.Globalization;
using System.Text.RegularExpressions;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>
/// The kernel's own counters of a network namespace's TCP sockets (<c>ss -ti</c>): payload bytes (for MQTT over TLS: the TLS
/// records) and segments both ways. The bytes on the wire at the IP level add each segment's IPv4 + TCP header with the
/// timestamp option Linux uses (20 + 32 = 52 bytes); ACK-only segments are segments too.
/// </summary>
internal sealed partial record SocketCounters(long Bytes, long Segments)
{
    public const int HeaderBytes = 52;

    public long WireBytes => Bytes + Segments * HeaderBytes;

    public static SocketCounters operator -(SocketCounters a, SocketCounters b) => new(a.Bytes - b.Bytes, a.Segments - b.Segments);

    /// <summary>Per established socket (local → peer) in <paramref name="ns"/> whose peer matches <paramref name="peer"/> (any when null).</summary>
    public static async Task<Dictionary<string, SocketCounters>> ReadAsync(string ns, Func<string, bool>? peer = null)
    {
        var result = await Sh.RunAsync(["ip", "netns", "exec", ns, "ss", "-tinH", "state", "established"]);
        var sockets = new Dictionary<string, SocketCounters>();
        string? key = null;
        foreach (var line in result.StdOut.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (!char.IsWhiteSpace(line[0]))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                key = fields.Length >= 4 && (peer is null || peer(fields[3])) ? $"{fields[2]}>{fields[3]}" : null;
                continue;
            }

            if (key is not null)
            {
                sockets[key] = new SocketCounters(
                    Counter(line, "bytes_sent") + Counter(line, "bytes_received"),
                    Counter(line, "segs_out") + Counter(line, "segs_in"));
                key = null;
            }
        }

        return sockets;
    }

    /// <summary>What the sockets of <paramref name="after"/> exchanged since <paramref name="before"/> (a new socket from 0).</summary>
    public static SocketCounters Since(Dictionary<string, SocketCounters> before, Dictionary<string, SocketCounters> after) =>
        after.Aggregate(new SocketCounters(0, 0), (sum, s) => sum + (s.Value - before.GetValueOrDefault(s.Key, new SocketCounters(0, 0))));

    public static SocketCounters operator +(SocketCounters a, SocketCounters b) => new(a.Bytes + b.Bytes, a.Segments + b.Segments);

    private static long Counter(string line, string name)
    {
        var match = Regex.Match(line, $@"\b{name}:(\d+)");
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }
}
