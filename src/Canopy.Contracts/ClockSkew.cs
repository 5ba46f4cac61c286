namespace Canopy.Contracts;

/// <summary>
/// How far a sender's clock is from the receiver's, estimated from a fresh message (stamped when sent, never queued). Edge
/// boards without a real-time clock boot with a wrong time until NTP answers, if it ever does: liveness uses only the
/// receiver's clock, and times a sender reports are moved into the receiver's clock before anyone sees them.
/// </summary>
public static class ClockSkew
{
    /// <summary>Below this the difference is transit time and jitter, not a wrong clock.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(2);

    /// <summary>Sender's clock minus receiver's; null when the message carried no time.</summary>
    public static TimeSpan? Estimate(DateTimeOffset? sentAt, DateTimeOffset receivedAt) =>
        sentAt is { } sent && sent != default ? sent - receivedAt : null;

    public static bool IsSignificant(TimeSpan? skew) => skew is { } s && s.Duration() > Tolerance;

    /// <summary>The report with its times in the receiver's clock.</summary>
    public static InstanceReport InReceiverClock(this InstanceReport report, TimeSpan? skew) =>
        IsSignificant(skew) && report.StartedAt is { } started ? report with { StartedAt = started - skew!.Value } : report;

    /// <summary>
    /// For people: "3600 s ahead", "12.5 s behind". One message's time in transit is in the estimate, so from 10 s on tenths would
    /// only show that transit (3599.9 s for a clock an hour ahead).
    /// </summary>
    public static string Describe(TimeSpan skew)
    {
        var seconds = Math.Abs(skew.TotalSeconds);
        return $"{(seconds >= 10 ? Math.Round(seconds) : seconds).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} s " +
               (skew > TimeSpan.Zero ? "ahead of" : "behind");
    }
}
