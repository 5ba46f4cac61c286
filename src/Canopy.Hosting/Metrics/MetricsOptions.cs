namespace Canopy.Hosting.Metrics;

/// <summary>Who may read a tier's <c>/metrics</c> (Prometheus text format).</summary>
public sealed class MetricsOptions
{
    /// <summary>
    /// The bearer token a scrape must send. Empty: the tier makes one at its first start and keeps it in
    /// <c>&lt;data dir&gt;/metrics-token</c> (mode 0600). Set it (<c>CANOPY_METRICS_TOKEN</c>) to give every tier the same one.
    /// </summary>
    public string? ScrapeToken { get; set; }

    /// <summary>
    /// Scrapes from this machine (127.0.0.0/8, ::1) need no token. Only <c>canopy up</c> sets it, where every tier listens on
    /// loopback for one user; a tier reachable from the network always asks for the token.
    /// </summary>
    public bool LoopbackWithoutToken { get; set; }
}
