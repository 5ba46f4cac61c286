namespace Canopy.Hosting.Metrics;

/// <summary>
/// Brings a tier's observed values (read from its store) up to date right before a scrape, so that observable gauges answer
/// synchronously from memory and a scrape costs one read of the store, not one per series.
/// </summary>
public interface IScrapeRefresh
{
    Task RefreshAsync(CancellationToken ct);
}
