using System.Collections.Concurrent;
using Canopy.Contracts.Mqtt;

namespace Canopy.Cluster;

/// <summary>
/// Messages the cluster exchanged since it started: with its nodes over MQTT and with the root over the link, by kind. What an
/// idle node costs in messages is a figure users of metered edge links ask for; <c>GET /api/v1/traffic</c> shows it.
/// </summary>
internal sealed class ClusterTraffic(TimeProvider time)
{
    private readonly DateTimeOffset _since = time.GetUtcNow();
    private readonly ConcurrentDictionary<string, long> _mqttFromNodes = new();
    private readonly ConcurrentDictionary<string, long> _mqttToNodes = new();
    private readonly ConcurrentDictionary<string, long> _linkFromRoot = new();
    private readonly ConcurrentDictionary<string, long> _linkToRoot = new();

    private long _mqttBytesFromNodes;
    private long _mqttBytesToNodes;
    private long _linkBytesFromRoot;
    private long _linkBytesToRoot;

    public void MqttReceived(string topic, int bytes)
    {
        Count(_mqttFromNodes, Kind(topic));
        Interlocked.Add(ref _mqttBytesFromNodes, bytes);
    }

    public void MqttSent(string topic, int bytes)
    {
        Count(_mqttToNodes, Kind(topic));
        Interlocked.Add(ref _mqttBytesToNodes, bytes);
    }

    public void LinkReceived(string type, int bytes)
    {
        Count(_linkFromRoot, type);
        Interlocked.Add(ref _linkBytesFromRoot, bytes);
    }

    public void LinkSent(string type, int bytes)
    {
        Count(_linkToRoot, type);
        Interlocked.Add(ref _linkBytesToRoot, bytes);
    }

    /// <summary>Messages by direction (<c>received</c>/<c>sent</c>) and topic kind or link message type, for <c>/metrics</c>.</summary>
    public IEnumerable<(string Direction, string Kind, long Count)> MqttMessages() => ByKind(_mqttFromNodes, _mqttToNodes);

    public IEnumerable<(string Direction, string Kind, long Count)> LinkMessages() => ByKind(_linkFromRoot, _linkToRoot);

    public (long Received, long Sent) MqttBytes() => (Interlocked.Read(ref _mqttBytesFromNodes), Interlocked.Read(ref _mqttBytesToNodes));

    public (long Received, long Sent) LinkBytes() => (Interlocked.Read(ref _linkBytesFromRoot), Interlocked.Read(ref _linkBytesToRoot));

    private static IEnumerable<(string, string, long)> ByKind(ConcurrentDictionary<string, long> received, ConcurrentDictionary<string, long> sent) =>
        received.Select(p => ("received", p.Key, p.Value)).Concat(sent.Select(p => ("sent", p.Key, p.Value)));

    public TrafficDocument Snapshot() => new(_since, time.GetUtcNow(),
        Total(_mqttFromNodes), Total(_mqttToNodes), Total(_linkFromRoot), Total(_linkToRoot),
        Copy(_mqttFromNodes), Copy(_mqttToNodes), Copy(_linkFromRoot), Copy(_linkToRoot));

    /// <summary><c>nodes/&lt;id&gt;/jobs/resources</c> → <c>jobs/resources</c>: counted per kind, not per node.</summary>
    private static string Kind(string topic) => NodeTopics.TryParse(topic, out _, out var rest) ? rest : topic;

    private static void Count(ConcurrentDictionary<string, long> counts, string kind) => counts.AddOrUpdate(kind, 1, (_, n) => n + 1);

    private static long Total(ConcurrentDictionary<string, long> counts) => counts.Values.Sum();

    private static SortedDictionary<string, long> Copy(ConcurrentDictionary<string, long> counts) => new(counts);
}

/// <summary>Counts of application messages (not keep-alives) since <see cref="Since"/>, in total and by topic or message type.</summary>
public sealed record TrafficDocument(
    DateTimeOffset Since, DateTimeOffset At, long MqttFromNodes, long MqttToNodes, long LinkFromRoot, long LinkToRoot,
    IReadOnlyDictionary<string, long> MqttFromNodesByTopic, IReadOnlyDictionary<string, long> MqttToNodesByTopic,
    IReadOnlyDictionary<string, long> LinkFromRootByType, IReadOnlyDictionary<string, long> LinkToRootByType);
