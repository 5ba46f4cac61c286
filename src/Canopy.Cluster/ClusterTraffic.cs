namespace Canopy.Cluster;

/// <summary>
/// Messages the cluster exchanged since it started: with its nodes over MQTT and with the root over the link. What an idle
/// node costs in messages is a figure users of metered edge links ask for; <c>GET /api/v1/traffic</c> shows it.
/// </summary>
internal sealed class ClusterTraffic(TimeProvider time)
{
    private readonly DateTimeOffset _since = time.GetUtcNow();
    private long _mqttIn;
    private long _mqttOut;
    private long _linkIn;
    private long _linkOut;

    public void MqttReceived() => Interlocked.Increment(ref _mqttIn);
    public void MqttSent() => Interlocked.Increment(ref _mqttOut);
    public void LinkReceived() => Interlocked.Increment(ref _linkIn);
    public void LinkSent() => Interlocked.Increment(ref _linkOut);

    public TrafficDocument Snapshot() => new(_since, time.GetUtcNow(),
        Interlocked.Read(ref _mqttIn), Interlocked.Read(ref _mqttOut), Interlocked.Read(ref _linkIn), Interlocked.Read(ref _linkOut));
}

/// <summary>Counts of application messages (not keep-alives) since <see cref="Since"/>.</summary>
public sealed record TrafficDocument(
    DateTimeOffset Since, DateTimeOffset At, long MqttFromNodes, long MqttToNodes, long LinkFromRoot, long LinkToRoot);
