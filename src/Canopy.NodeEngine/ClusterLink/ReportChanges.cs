using Canopy.Contracts;
using Canopy.Contracts.Mqtt;

namespace Canopy.NodeEngine.ClusterLink;

/// <summary>
/// Whether a sampled report is worth its bytes on the wire. Liveness rides on MQTT keep-alive (and the last will), so a report
/// goes out only when it says something new to the scheduler (a material change) or when its refresh interval has passed since
/// the last one sent (lost messages heal, the cluster's clock-skew check and fallback timeout see the node now and then).
/// Pure: the caller samples, asks, publishes and says what it sent.
/// </summary>
internal sealed class ReportChanges(TimeSpan informationRefresh, TimeSpan inventoryRefresh)
{
    /// <summary>CPU use (node or instance) moves by at least this many percentage points.</summary>
    internal const double CpuPoints = 10;

    /// <summary>Available memory moves by at least this share of the node's total (and <see cref="MinMemoryMb"/>).</summary>
    internal const double MemoryShare = 0.05;

    internal const double MinMemoryMb = 16;

    /// <summary>A latency to a peer changes by at least this share (and 1 ms).</summary>
    internal const double LatencyShare = 0.25;

    private NodeInformation? _information;
    private DateTimeOffset _informationAt;
    private IReadOnlyList<InstanceReport>? _inventory;
    private DateTimeOffset _inventoryAt;

    public bool InformationDue(NodeInformation next, DateTimeOffset now) =>
        _information is null || now - _informationAt >= informationRefresh || Differs(_information, next);

    public void InformationSent(NodeInformation sent, DateTimeOffset now) => (_information, _informationAt) = (sent, now);

    public bool InventoryDue(IReadOnlyList<InstanceReport> next, DateTimeOffset now) =>
        _inventory is null || now - _inventoryAt >= inventoryRefresh || Differs(_inventory, next);

    public void InventorySent(IReadOnlyList<InstanceReport> sent, DateTimeOffset now) => (_inventory, _inventoryAt) = (sent, now);

    internal static bool Differs(NodeInformation before, NodeInformation now) =>
        Math.Abs(before.CpuPercent - now.CpuPercent) >= CpuPoints
        || Math.Abs(before.Memory - now.Memory) >= Math.Max(MinMemoryMb, MemoryShare * Math.Max(before.MemoryTotal, now.MemoryTotal))
        || before.Vcpus != now.Vcpus
        || before.MemoryTotal != now.MemoryTotal
        || before.Architecture != now.Architecture
        || before.Ip != now.Ip
        || before.Overlay != now.Overlay
        || !before.Virtualization.SequenceEqual(now.Virtualization)
        || !SameList(before.PrivilegedRuntimes, now.PrivilegedRuntimes)
        || !SameMap(before.UnavailableRuntimes, now.UnavailableRuntimes, (a, b) => a == b)
        || !SameMap(before.Latency, now.Latency, SimilarLatency)
        || !SameMap(before.Extra, now.Extra, (a, b) => a.GetRawText() == b.GetRawText());

    /// <summary>A different set of instances, a state change, or an instance's metrics moving materially (or appearing).</summary>
    internal static bool Differs(IReadOnlyList<InstanceReport> before, IReadOnlyList<InstanceReport> now)
    {
        if (before.Count != now.Count)
        {
            return true;
        }

        var previous = before.ToDictionary(r => (r.ServiceId, r.InstanceNumber));
        foreach (var report in now)
        {
            if (!previous.TryGetValue((report.ServiceId, report.InstanceNumber), out var old)
                || old.Status != report.Status
                || old.RestartCount != report.RestartCount
                || old.Pid != report.Pid
                || old.HostPort != report.HostPort
                || old.InstanceIp != report.InstanceIp
                || MetricMoved(old.CpuPercent, report.CpuPercent, CpuPoints)
                || MetricMoved(old.Memory, report.Memory, Math.Max(MinMemoryMb, 0.1 * (old.Memory ?? 0))))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MetricMoved(double? before, double? now, double threshold) =>
        before.HasValue != now.HasValue || (before is { } b && now is { } n && Math.Abs(b - n) >= threshold);

    private static bool SimilarLatency(double a, double b) => Math.Abs(a - b) < Math.Max(1, LatencyShare * Math.Max(a, b));

    private static bool SameList(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        (a ?? []).SequenceEqual(b ?? []);

    private static bool SameMap<T>(IReadOnlyDictionary<string, T>? a, IReadOnlyDictionary<string, T>? b, Func<T, T, bool> same)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        return a is null || a.All(p => b!.TryGetValue(p.Key, out var other) && same(p.Value, other));
    }
}
