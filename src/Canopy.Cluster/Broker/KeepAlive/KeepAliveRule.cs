namespace Canopy.Cluster.Broker.KeepAlive;

/// <summary>
/// MQTT's own rule (3.1.1 section 3.1.2.10): a server drops a client that sent nothing for one and a half times its keep-alive.
/// Checked here a few times a second instead of Mosquitto 2.0.11's every 5 s, plus a grace for the check's period and a busy node.
/// </summary>
internal static class KeepAliveRule
{
    /// <summary>Below this many late clients, no stall is assumed: a few links may well fail together.</summary>
    private const int StallMinimum = 10;

    /// <summary>The silence after which a client with this keep-alive is lost; null for a client without keep-alive.</summary>
    public static TimeSpan? Limit(int keepAliveSeconds, TimeSpan grace) =>
        keepAliveSeconds <= 0 ? null : TimeSpan.FromSeconds(keepAliveSeconds * 1.5) + grace;

    public static bool IsOverdue(TimeSpan sinceLastData, int keepAliveSeconds, TimeSpan grace) =>
        Limit(keepAliveSeconds, grace) is { } limit && sinceLastData > limit;

    /// <summary>It missed the packet it owed by now (silent for longer than its keep-alive), overdue or not yet.</summary>
    public static bool IsLate(TimeSpan sinceLastData, int keepAliveSeconds) =>
        keepAliveSeconds > 0 && sinceLastData > TimeSpan.FromSeconds(keepAliveSeconds);

    /// <summary>
    /// Most clients late at once is a stall, not that many links failing in the same second: the machine or VM was paused, or one
    /// process simulating thousands of nodes fell behind. Closing them all would only make them reconnect at once; the broker's own
    /// (slower) check stays for them. Counted over "late" rather than "overdue" because a stalled crowd crosses the limit spread
    /// over one keep-alive, while it is all late well before the first of it is overdue.
    /// </summary>
    public static bool LooksLikeAStall(int late, int watched) => late >= StallMinimum && late * 2 > watched;
}
