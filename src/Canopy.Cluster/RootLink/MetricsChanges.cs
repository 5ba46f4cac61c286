using Canopy.Contracts;

namespace Canopy.Cluster.RootLink;

/// <summary>
/// Which running instances' metrics the root has not seen yet, for one link session. The cluster's figures only move when a node
/// reports a material change (nodes apply the thresholds), so an exact comparison is enough: a steady instance costs nothing on the
/// root link. Every <c>refresh</c> all of them go again, which keeps the root's history (it forgets a series after 10 minutes
/// without a sample) and covers anything the root lost.
/// </summary>
internal sealed class MetricsChanges(TimeSpan refresh)
{
    private Dictionary<(string ServiceId, int Number), (double? Cpu, double? Memory, double? MemoryPercent, int Restarts)> _sent = [];
    private DateTimeOffset _lastFull = DateTimeOffset.MinValue;

    /// <summary>The reports to send now (empty: nothing changed); remembers them as sent.</summary>
    public IReadOnlyList<InstanceReport> Select(IReadOnlyList<InstanceReport> running, DateTimeOffset now)
    {
        var full = now - _lastFull >= refresh;
        var next = new Dictionary<(string, int), (double?, double?, double?, int)>(running.Count);
        var changed = new List<InstanceReport>();
        foreach (var report in running)
        {
            var key = (report.ServiceId, report.InstanceNumber);
            var figures = (report.CpuPercent, report.Memory, report.MemoryPercent, report.RestartCount);
            next[key] = figures;
            if (full || !_sent.TryGetValue(key, out var before) || before != figures)
            {
                changed.Add(report);
            }
        }

        _sent = next;
        if (full)
        {
            _lastFull = now;
        }

        return changed;
    }
}
