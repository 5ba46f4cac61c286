namespace Canopy.Benchmarks;

internal static class Stats
{
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = p / 100.0 * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = (int)Math.Ceiling(rank);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (rank - lo));
    }

    public static string Summary(IReadOnlyList<double> ms) =>
        $"median {Percentile(ms, 50):0} ms, p95 {Percentile(ms, 95):0} ms, min {ms.Min():0} ms, max {ms.Max():0} ms (n={ms.Count})";

    /// <summary>The machine's 1, 5 and 15 minute load averages, to print beside a figure measured on a shared machine.</summary>
    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>Resident set size of a process in MB, from /proc.</summary>
    public static double RssMb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
            }
        }

        return double.NaN;
    }

    /// <summary>CPU time a process has used so far (user + system), from /proc/&lt;pid&gt;/stat in clock ticks of 10 ms.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // the name in parentheses may hold spaces; field 3 (state) first
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]); // fields 14 and 15: utime, stime
        return TimeSpan.FromMilliseconds(ticks * 10.0); // USER_HZ is 100 on Linux
    }
}
