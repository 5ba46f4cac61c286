using System.Globalization;
using Canopy.Cli.Interaction;
using Canopy.Contracts.Api;

namespace Canopy.Cli.Commands;

/// <summary>The tables of <c>canopy nodes</c>: the nodes, and with <c>--latency</c> the round-trip times they measured.</summary>
internal static class NodeTables
{
    public static readonly string[] Headers =
        ["NAME", "CLUSTER", "ACTIVE", "ARCH", "VCPUS", "CPU %", "MEMORY (AVAIL/TOTAL)", "MEM %", "RUNTIMES", "SUBNET", "INSTANCES", "LAST SEEN"];

    public static readonly string[] LatencyHeaders = ["FROM", "TO", "RTT MS"];

    public static IEnumerable<IReadOnlyList<string>> Rows(IEnumerable<NodeDocument> nodes) =>
        nodes.Select(n => (IReadOnlyList<string>)
        [
            n.Name, Format.OrDash(n.ClusterName), n.Active ? "yes" : "no", n.Architecture, Format.Number(n.Vcpus, 0),
            Format.Number(n.CpuPercent), $"{Format.Mb(n.Memory)} / {Format.Mb(n.MemoryTotal)}", Format.Number(n.MemoryPercent),
            Runtimes(n), Format.OrDash(n.Subnet), n.Instances.ToString(CultureInfo.InvariantCulture), Format.Age(n.LastSeen),
        ]);

    /// <summary>
    /// The runtimes it can use, then the ones it has but cannot use now, e.g. <c>exec,wasm (vm unusable)</c>; the reasons follow the
    /// table, one line each.
    /// </summary>
    public static string Runtimes(NodeDocument node)
    {
        var usable = node.Virtualization.Count == 0 ? "-" : string.Join(",", node.Virtualization);
        var unusable = (node.UnavailableRuntimes?.Keys ?? []).Where(r => !node.Virtualization.Contains(r)).Order(StringComparer.Ordinal).ToList();
        return unusable.Count == 0 ? usable : $"{usable} ({string.Join(",", unusable)} unusable)";
    }

    /// <summary>One measurement a line, by source then destination name; a peer the listing does not show keeps its id.</summary>
    public static IReadOnlyList<Latency> Latencies(IReadOnlyList<NodeDocument> nodes)
    {
        var names = nodes.GroupBy(n => n.Id).ToDictionary(g => g.Key, g => g.First().Name);
        return nodes
            .SelectMany(n => (n.LatencyMs ?? new Dictionary<string, double>())
                .Select(p => new Latency(n.Id, n.Name, p.Key, names.GetValueOrDefault(p.Key, p.Key), p.Value)))
            .OrderBy(l => l.From, StringComparer.Ordinal).ThenBy(l => l.To, StringComparer.Ordinal)
            .ToList();
    }

    public static IEnumerable<IReadOnlyList<string>> LatencyRows(IReadOnlyList<NodeDocument> nodes) =>
        Latencies(nodes).Select(l => (IReadOnlyList<string>)[l.From, l.To, Format.Number(l.RttMs, 3)]);

    /// <summary>A round trip from one node to a peer, as <c>--output json</c> shows it.</summary>
    internal sealed record Latency(string FromNodeId, string From, string ToNodeId, string To, double RttMs);
}
