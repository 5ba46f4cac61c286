using System.Globalization;
using System.Text;
using Canopy.Cluster.Storage;

namespace Canopy.Cluster.RootLink;

/// <summary>
/// A cheap stand-in for <see cref="ResourceReport.Fingerprint"/>: the active nodes' exact facts (totals, runtimes, architecture,
/// extra resources) hashed, and the live gauges summed per architecture and coarsened the same way. Equal signatures mean an
/// equal fingerprint, so the report need not be built: with thousands of nodes, building Core's aggregate (JSON objects for every
/// node, twice) each time a heartbeat arrived was an O(nodes) cost every 500 ms. The report is still built and sent at least every
/// <see cref="ClusterOptions.ResourcesInterval"/>, which also covers the rare hash collision.
/// </summary>
internal static class ResourceSignature
{
    public static string Of(IReadOnlyList<NodeRecord> nodes)
    {
        var structure = new HashCode();
        var all = new Gauges();
        var perArchitecture = new SortedDictionary<string, Gauges>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (!node.Active)
            {
                continue;
            }

            var info = node.StaticInfo;
            var latest = node.Latest;
            var vcpus = latest is { Vcpus: > 0 } ? latest.Vcpus : info.Vcpus;
            var total = latest is { MemoryTotal: > 0 } ? latest.MemoryTotal : info.MemoryTotal;
            var architecture = latest is { Architecture.Length: > 0 } ? latest.Architecture : info.Architecture;
            structure.Add(node.Id);
            structure.Add(node.Host);
            structure.Add(vcpus);
            structure.Add(total);
            structure.Add(architecture);
            foreach (var runtime in latest is { Virtualization.Count: > 0 } ? latest.Virtualization : info.Virtualization)
            {
                structure.Add(runtime);
            }

            foreach (var runtime in latest?.PrivilegedRuntimes ?? [])
            {
                structure.Add(runtime);
            }

            foreach (var (runtime, why) in latest?.UnavailableRuntimes ?? new Dictionary<string, string>())
            {
                structure.Add(runtime);
                structure.Add(why);
            }

            foreach (var (key, value) in (info.Extra ?? []).Concat(latest?.Extra ?? []))
            {
                structure.Add(key);
                structure.Add(value.GetRawText());
            }

            var reading = (Cpu: latest?.CpuPercent ?? 0, Memory: latest?.Memory ?? info.MemoryTotal, Total: total, MemoryPercent: latest?.MemoryPercent ?? 0);
            all.Add(reading);
            var group = architecture.Length > 0 ? architecture : "unknown";
            (perArchitecture.TryGetValue(group, out var gauges) ? gauges : perArchitecture[group] = new Gauges()).Add(reading);
        }

        var text = new StringBuilder().Append(structure.ToHashCode()).Append(all.Coarse());
        foreach (var (architecture, gauges) in perArchitecture)
        {
            text.Append('|').Append(architecture).Append(gauges.Coarse());
        }

        return text.ToString();
    }

    /// <summary>As the aggregate has them: means of the non-zero percentages, sums of memory; coarsened as the fingerprint does.</summary>
    private sealed class Gauges
    {
        private double _cpu;
        private int _cpuReadings;
        private double _memoryPercent;
        private int _memoryReadings;
        private double _memory;
        private double _total;
        private int _nodes;

        public void Add((double Cpu, double Memory, double Total, double MemoryPercent) reading)
        {
            _nodes++;
            _memory += reading.Memory;
            _total += reading.Total;
            if (reading.Cpu != 0)
            {
                (_cpu, _cpuReadings) = (_cpu + reading.Cpu, _cpuReadings + 1);
            }

            if (reading.MemoryPercent != 0)
            {
                (_memoryPercent, _memoryReadings) = (_memoryPercent + reading.MemoryPercent, _memoryReadings + 1);
            }
        }

        public string Coarse()
        {
            var cpu = _cpuReadings == 0 ? 0 : Math.Round(_cpu / _cpuReadings / 25) * 25;
            var memoryPercent = _memoryReadings == 0 ? 0 : Math.Round(_memoryPercent / _memoryReadings / 5) * 5;
            var step = Math.Max(64, _total / 50);
            var memory = Math.Round(_memory / step) * step;
            return string.Create(CultureInfo.InvariantCulture, $":{_nodes}:{cpu}:{memoryPercent}:{memory}");
        }
    }
}
