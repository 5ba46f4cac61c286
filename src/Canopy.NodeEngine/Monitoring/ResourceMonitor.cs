using System.Diagnostics;
using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine.Monitoring;

/// <summary>
/// The node's CPU and memory from /proc. CPU use is the share of non-idle time between two samples, so each call
/// measures the interval since the previous one. Reads into fixed buffers: it runs every 2 s for the node's life.
/// </summary>
public sealed class ResourceMonitor
{
    private readonly Lock _lock = new();
    private readonly byte[] _statBuffer = new byte[512];
    private readonly byte[] _memBuffer = new byte[4096];
    private ulong _previousBusy;
    private ulong _previousTotal;

    private readonly TimeSpan _reuseFor;
    private long _sampledAt;
    private NodeResources _last;

    public ResourceMonitor()
        : this(TimeSpan.Zero)
    {
    }

    /// <param name="reuseFor">A sample younger than this is returned again: the simulator's thousands of nodes share one sampler,
    /// and each asking anew would measure a few microseconds of CPU (0 or 100 %).</param>
    internal ResourceMonitor(TimeSpan reuseFor)
    {
        _reuseFor = reuseFor;

        // Primes the CPU counters so that the first sample already covers an interval.
        Sample();
    }

    /// <summary>Total memory, MB, from the last sample (0 before /proc was readable).</summary>
    public long MemoryTotalMb { get; private set; }

    public NodeResources Sample()
    {
        lock (_lock)
        {
            if (_sampledAt != 0 && Stopwatch.GetElapsedTime(_sampledAt) < _reuseFor)
            {
                return _last;
            }

            var cpu = SampleCpu();
            var (total, available) = SampleMemory();
            MemoryTotalMb = total;
            var percent = total > 0 ? (total - available) * 100.0 / total : 0;
            _sampledAt = Stopwatch.GetTimestamp();
            _last = new NodeResources(cpu, Environment.ProcessorCount, available, total, Math.Round(percent, 2));
            return _last;
        }
    }

    private double SampleCpu()
    {
        // Only the first line ("cpu  user nice system idle iowait irq softirq steal ...") is needed; the rest of
        // /proc/stat (per-cpu lines, interrupts) can be long, so just the head is read.
        var n = ProcFs.Read("/proc/stat", _statBuffer);
        if (n <= 0)
        {
            return 0;
        }

        var text = _statBuffer.AsSpan(0, n);
        var pos = 3;
        ulong total = 0, idle = 0;
        for (var field = 0; field < 8; field++)
        {
            if (ProcFs.ParseLong(text, ref pos) is not { } value)
            {
                break;
            }

            total += (ulong)value;
            if (field is 3 or 4)
            {
                idle += (ulong)value; // idle + iowait
            }
        }

        var busy = total - idle;
        var previousTotal = _previousTotal;
        var previousBusy = _previousBusy;
        _previousTotal = total;
        _previousBusy = busy;
        if (previousTotal == 0 || total <= previousTotal || busy < previousBusy)
        {
            return 0;
        }

        return Math.Round(Math.Clamp((busy - previousBusy) * 100.0 / (total - previousTotal), 0, 100), 2);
    }

    private (long TotalMb, long AvailableMb) SampleMemory()
    {
        var n = ProcFs.Read("/proc/meminfo", _memBuffer);
        if (n <= 0)
        {
            return (0, 0);
        }

        var text = _memBuffer.AsSpan(0, n);
        var totalKb = ProcFs.FindKeyed(text, "MemTotal"u8) ?? 0;
        var availableKb = ProcFs.FindKeyed(text, "MemAvailable"u8) ?? ProcFs.FindKeyed(text, "MemFree"u8) ?? 0;
        return (totalKb / 1024, availableKb / 1024);
    }
}
