using System.Diagnostics.Metrics;
using Canopy.Cluster.Storage;
using Canopy.Core.States;
using Canopy.Hosting.Metrics;

namespace Canopy.Cluster.Metrics;

/// <summary>
/// The node engines' series, served by their cluster (meter <see cref="MeterName"/>, labelled by node): nodes dial out to their
/// cluster and often sit behind NAT on small devices, so nothing scrapes them; what they report over MQTT (liveness, resources,
/// each instance's cpu, memory, restarts) is what Prometheus gets here, as fresh as the node's last report. Read from the cluster's
/// store once per scrape.
/// </summary>
internal sealed class NodeSeries : IScrapeRefresh
{
    public const string MeterName = "Canopy.Node";

    private const long MiB = 1024 * 1024;

    private readonly IClusterStore _store;
    private volatile Snapshot _last = new([], [], [], []);

    public NodeSeries(IMeterFactory meters, IClusterStore store)
    {
        _store = store;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("canopy_node_up", () => _last.Up, description: "1 while a node is active (its MQTT session and heartbeats on time), else 0");
        meter.CreateObservableGauge("canopy_node_cpu_percent", () => _last.NodeCpu, description: "CPU use of a node, percent of all its cores");
        meter.CreateObservableGauge("canopy_node_memory", () => _last.NodeMemory, "By", "Memory in use on a node");
        meter.CreateObservableGauge("canopy_node_instances", () => _last.Instances, description: "Instances on each node of this cluster, by node, service id and state");
    }

    public async Task RefreshAsync(CancellationToken ct)
    {
        var nodes = await _store.ListNodesAsync(ct);
        var instances = await _store.ListInstancesAsync(ct);
        _last = new Snapshot(
            nodes.Select(n => new Measurement<int>(n.Active ? 1 : 0, Node(n))).ToList(),
            nodes.Where(n => n.Active && n.Latest is not null).Select(n => new Measurement<double>(n.Latest!.CpuPercent, Node(n))).ToList(),
            nodes.Where(n => n.Active && n.Latest is not null).Select(n => new Measurement<long>((n.Latest!.MemoryTotal - n.Latest.Memory) * MiB, Node(n))).ToList(),
            instances.GroupBy(i => (Node: i.NodeName ?? "", i.ServiceId, State: i.Status.ToWireName()))
                .Select(g => new Measurement<long>(g.Count(), new("node", g.Key.Node), new("service_id", g.Key.ServiceId), new("state", g.Key.State)))
                .ToList());
    }

    private static KeyValuePair<string, object?> Node(NodeRecord node) => new("node", node.Host);

    private sealed record Snapshot(
        IReadOnlyList<Measurement<int>> Up, IReadOnlyList<Measurement<double>> NodeCpu, IReadOnlyList<Measurement<long>> NodeMemory,
        IReadOnlyList<Measurement<long>> Instances);
}
