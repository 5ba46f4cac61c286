using System.Collections.Concurrent;
using Canopy.Contracts.Mqtt;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Nodes;

/// <summary>
/// Keeps impossible resource readings (a broken sensor, a hostile node) from reaching the scheduler, the root's aggregate and the
/// store: negative, not-a-number or absurdly large amounts are clamped to what a machine can have, before the information is
/// handled. One warning per node when it starts reporting such values (again only after it reported sane ones), not one per message.
/// </summary>
internal sealed partial class NodeReadings(ILogger<NodeReadings> logger)
{
    /// <summary>More cores than any machine a node runs on; beyond it, a reading is wrong.</summary>
    public const double MaxVcpus = 65_536;

    /// <summary>1 EiB in MB: beyond it, memory figures are wrong (and sums over thousands of nodes could overflow).</summary>
    public const long MaxMemory = 1L << 40;

    private readonly ConcurrentDictionary<string, bool> _warned = new(StringComparer.Ordinal);

    public NodeInformation Clamp(string nodeId, NodeInformation information)
    {
        var total = Bound(information.MemoryTotal);
        var clamped = information with
        {
            CpuPercent = Percent(information.CpuPercent),
            Vcpus = double.IsFinite(information.Vcpus) ? Math.Clamp(information.Vcpus, 0, MaxVcpus) : 0,
            MemoryTotal = total,
            Memory = Math.Clamp(information.Memory, 0, total > 0 ? total : MaxMemory),
            MemoryPercent = Percent(information.MemoryPercent),
        };

        var absurd = !clamped.CpuPercent.Equals(information.CpuPercent) || !clamped.Vcpus.Equals(information.Vcpus) ||
                     clamped.MemoryTotal != information.MemoryTotal || clamped.Memory != information.Memory ||
                     !clamped.MemoryPercent.Equals(information.MemoryPercent);
        if (absurd && _warned.TryAdd(nodeId, true))
        {
            LogAbsurd(logger, nodeId, information.CpuPercent, information.Vcpus, information.Memory, information.MemoryTotal, information.MemoryPercent);
        }
        else if (!absurd && !_warned.IsEmpty)
        {
            _warned.TryRemove(nodeId, out _);
        }

        return absurd ? clamped : information;
    }

    private static double Percent(double value) => double.IsFinite(value) ? Math.Clamp(value, 0, 100) : 0;

    private static long Bound(long memory) => Math.Clamp(memory, 0, MaxMemory);

    [LoggerMessage(EventId = EventIds.NodeReportsAbsurd, Level = LogLevel.Warning,
        Message = "Node {NodeId} reports impossible resources (cpu {CpuPercent} %, {Vcpus} vcpus, memory {Memory} of {MemoryTotal} MB, {MemoryPercent} %): " +
                  "they are clamped to possible values until it reports sane ones; check its resource monitor")]
    private static partial void LogAbsurd(ILogger logger, string nodeId, double cpuPercent, double vcpus, long memory, long memoryTotal, double memoryPercent);
}
