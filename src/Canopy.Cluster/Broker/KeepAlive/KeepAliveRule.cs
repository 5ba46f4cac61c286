namespace Canopy.Cluster.Broker.KeepAlive;

/// <summary>
/// MQTT's own rule (3.1.1 section 3.1.2.10): a server drops a client that sent nothing for one and a half times its keep-alive.
/// Checked here a few times a second instead of Mosquitto 2.0.11's every 5 s, plus a grace for the check's period and a busy node.
/// </summary>
internal static class KeepAliveRule
{
    /// <summary>The silence after which a client with this keep-alive is lost; null for a client without keep-alive.</summary>
    public static TimeSpan? Limit(int keepAliveSeconds, TimeSpan grace) =>
        keepAliveSeconds <= 0 ? null : TimeSpan.FromSeconds(keepAliveSeconds * 1.5) + grace;

    public static bool IsOverdue(TimeSpan sinceLastData, int keepAliveSeconds, TimeSpan grace) =>
        Limit(keepAliveSeconds, grace) is { } limit && sinceLastData > limit;
}
