using System.Diagnostics.Metrics;
using Canopy.Hosting.Metrics;

namespace Canopy.Cluster.Metrics;

/// <summary>
/// The cluster's own series (meter <see cref="MeterName"/>): its scheduler's decisions, its API, and its traffic with the nodes
/// (MQTT) and with the root (the link), counted by <see cref="ClusterTraffic"/>. Its nodes' series are <see cref="NodeSeries"/>.
/// </summary>
internal sealed class ClusterMetrics
{
    public const string MeterName = "Canopy.Cluster";

    private readonly Counter<long> _placements;
    private readonly Counter<long> _placementFailures;

    public ClusterMetrics(IMeterFactory meters, ClusterTraffic traffic)
    {
        Meter = meters.Create(MeterName);
        Requests = new ApiRequestMetrics(Meter);
        _placements = Meter.CreateCounter<long>("canopy_placements", description: "Instances the cluster scheduler placed, by node");
        _placementFailures = Meter.CreateCounter<long>("canopy_placement_failures",
            description: "Instances the cluster scheduler could not place, by reason (the negative state it gave them)");
        Meter.CreateObservableCounter("canopy_mqtt_messages", () => Messages(traffic.MqttMessages()),
            description: "MQTT messages with the nodes (keep-alives not counted), by direction and topic kind");
        Meter.CreateObservableCounter("canopy_mqtt_bytes", () => Bytes(traffic.MqttBytes()), "By", "MQTT payload bytes with the nodes, by direction");
        Meter.CreateObservableCounter("canopy_link_messages", () => Messages(traffic.LinkMessages()),
            description: "Root ⇄ cluster link messages, by direction and type");
        Meter.CreateObservableCounter("canopy_link_bytes", () => Bytes(traffic.LinkBytes()), "By", "Root ⇄ cluster link bytes (JSON frames), by direction");
    }

    public Meter Meter { get; }

    public ApiRequestMetrics Requests { get; }

    public void Placed(string node) => _placements.Add(1, new KeyValuePair<string, object?>("node", node));

    public void NotPlaced(string reason) => _placementFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    private static IEnumerable<Measurement<long>> Messages(IEnumerable<(string Direction, string Kind, long Count)> counts) =>
        counts.Select(c => new Measurement<long>(c.Count, new("direction", c.Direction), new("type", c.Kind)));

    private static Measurement<long>[] Bytes((long Received, long Sent) bytes) =>
        [new(bytes.Received, new KeyValuePair<string, object?>("direction", "received")), new(bytes.Sent, new KeyValuePair<string, object?>("direction", "sent"))];
}
