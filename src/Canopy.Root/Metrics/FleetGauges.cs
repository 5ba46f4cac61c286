using System.Diagnostics.Metrics;
using Canopy.Core.States;
using Canopy.Hosting.Metrics;
using Canopy.Root.ClusterLinks;
using Canopy.Root.Store;

namespace Canopy.Root.Metrics;

/// <summary>
/// The fleet as the store has it, read once per scrape: instances by service and state, each instance's restarts, cpu and
/// memory as its cluster last reported them, and each cluster's liveness. Every replica answers from the shared store.
/// </summary>
internal sealed class FleetGauges : IScrapeRefresh
{
    private readonly IRootStore _store;
    private readonly LinkHub _hub;
    private volatile Snapshot _last = new([], [], []);

    public FleetGauges(IRootStore store, LinkHub hub, RootMetrics metrics)
    {
        _store = store;
        _hub = hub;
        var meter = metrics.Meter;
        meter.CreateObservableGauge("canopy_instances", () => _last.Instances, description: "Instances by service and state");
        meter.CreateObservableGauge("canopy_cluster_up", () => _last.Clusters, description: "1 while a cluster is active (linked, heartbeats on time), else 0");
        meter.CreateObservableCounter("canopy_instance_restarts", () => _last.PerInstance.Select(i => i.Restarts),
            description: "Restarts of each instance by its node engine, as its cluster reported them");
        meter.CreateObservableGauge("canopy_instance_cpu_percent", () => _last.PerInstance.Select(i => i.Cpu),
            description: "CPU use of each running instance, percent of one core as its node measures it");
        meter.CreateObservableGauge("canopy_instance_memory", () => _last.PerInstance.Select(i => i.Memory), "By",
            "Memory use of each running instance");
    }

    public async Task RefreshAsync(CancellationToken ct)
    {
        var services = (await _store.ListServicesAsync(null, ct)).ToDictionary(s => s.Id, s => s.JobName);
        var instances = await _store.ListInstancesAsync(null, ct);
        var clusters = await _store.ListClustersAsync(ct);
        var names = clusters.ToDictionary(c => c.Id, c => c.Name);

        var byState = instances
            .GroupBy(i => (Service: services.GetValueOrDefault(i.ServiceId, i.ServiceId), State: i.Status.ToWireName()))
            .Select(g => new Measurement<long>(g.Count(), Tag("service", g.Key.Service), Tag("state", g.Key.State)))
            .ToList();
        var perInstance = instances.Select(i =>
        {
            KeyValuePair<string, object?>[] tags =
            [
                Tag("service", services.GetValueOrDefault(i.ServiceId, i.ServiceId)),
                Tag("instance", i.InstanceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Tag("cluster", i.ClusterId is { } c ? names.GetValueOrDefault(c, c) : ""),
                Tag("node", i.NodeName ?? ""),
            ];
            var running = i.Status == InstanceStatus.Running;
            return new InstanceSeries(
                new Measurement<long>(i.RestartCount, tags),
                new Measurement<double>(running ? i.CpuPercent : 0, tags),
                new Measurement<double>(running ? i.Memory * 1024 * 1024 : 0, tags));
        }).ToList();
        var up = clusters.Select(c => new Measurement<int>(_hub.IsActive(c) ? 1 : 0, Tag("cluster", c.Name))).ToList();
        _last = new Snapshot(byState, up, perInstance);
    }

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    private sealed record InstanceSeries(Measurement<long> Restarts, Measurement<double> Cpu, Measurement<double> Memory);

    private sealed record Snapshot(IReadOnlyList<Measurement<long>> Instances, IReadOnlyList<Measurement<int>> Clusters, IReadOnlyList<InstanceSeries> PerInstance);
}
