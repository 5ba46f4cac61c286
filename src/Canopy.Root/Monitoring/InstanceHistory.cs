using System.Collections.Concurrent;
using System.Globalization;
using Canopy.Contracts.Api;
using Canopy.Root.Store;

namespace Canopy.Root.Monitoring;

/// <summary>
/// The last <see cref="Capacity"/> CPU and memory samples of each instance, as its cluster reported them (Oakestra keeps
/// as many). Held in memory only: a chart's worth of recent history, which a restarted root starts again.
/// </summary>
internal sealed class InstanceHistory(TimeProvider time)
{
    public const int Capacity = 100;

    /// <summary>An instance without a sample for this long is gone (or its cluster is); its series is dropped.</summary>
    private static readonly TimeSpan Forget = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<(string ServiceId, int Number), Series> _series = new();
    private DateTimeOffset _lastSweep;

    public void Record(IEnumerable<InstanceMetricsSample> samples)
    {
        var now = time.GetUtcNow();
        foreach (var s in samples)
        {
            _series.GetOrAdd((s.ServiceId, s.InstanceNumber), _ => new Series()).Add(now, s.CpuPercent, s.MemoryPercent);
        }

        if (now - _lastSweep > Forget)
        {
            _lastSweep = now;
            foreach (var (key, series) in _series)
            {
                if (now - series.Last > Forget)
                {
                    _series.TryRemove(key, out _);
                }
            }
        }
    }

    /// <summary>Oldest first; empty when nothing was reported since the root started.</summary>
    public (IReadOnlyList<MetricPoint> Cpu, IReadOnlyList<MetricPoint> Memory) Of(string serviceId, int instanceNumber) =>
        _series.TryGetValue((serviceId, instanceNumber), out var series) ? series.Points() : ([], []);

    public static string Text(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    private sealed class Series
    {
        private readonly Queue<(DateTimeOffset At, double Cpu, double Memory)> _samples = new();

        public DateTimeOffset Last { get; private set; }

        public void Add(DateTimeOffset at, double cpu, double memory)
        {
            lock (_samples)
            {
                _samples.Enqueue((at, cpu, memory));
                if (_samples.Count > Capacity)
                {
                    _samples.Dequeue();
                }

                Last = at;
            }
        }

        public (IReadOnlyList<MetricPoint>, IReadOnlyList<MetricPoint>) Points()
        {
            lock (_samples)
            {
                var stamps = _samples.Select(s => s.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)).ToList();
                return (
                    _samples.Zip(stamps, (s, at) => new MetricPoint(Text(s.Cpu), at)).ToList(),
                    _samples.Zip(stamps, (s, at) => new MetricPoint(Text(s.Memory), at)).ToList());
            }
        }
    }
}
