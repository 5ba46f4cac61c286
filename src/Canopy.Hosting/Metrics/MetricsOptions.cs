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

    /// <summary>What is wrong with these options, each naming its setting under <paramref name="section"/>; empty when usable.</summary>
    public IEnumerable<string> Problems(string section)
    {
        if (ScrapeToken?.Trim() is { Length: > 0 and < Contracts.Secrets.MinLength } token)
        {
            yield return $"{section}:ScrapeToken (CANOPY_METRICS_TOKEN) has {token.Length} characters; at least {Contracts.Secrets.MinLength} are required " +
                         "(e.g. `openssl rand -hex 32`), or leave it empty to have one made in the data dir";
        }
    }
}
