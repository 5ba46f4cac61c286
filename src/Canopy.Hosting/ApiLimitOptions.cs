namespace Canopy.Hosting;

/// <summary>
/// What one caller may ask of an API: a body size, a request rate and a time per request. Generous for people and
/// scripts, tight enough that one caller (or one stolen token) cannot starve the others or fill the server's memory.
/// </summary>
public sealed class ApiLimitOptions
{
    /// <summary>Largest request body. An SLA of many services is a few kB; 1 MiB leaves room and refuses floods.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Requests per second one user (or, without a token, one address) may make on average.</summary>
    public int RequestsPerSecond { get; set; } = 100;

    /// <summary>How many requests a caller may make at once above the average, e.g. a script listing everything.</summary>
    public int Burst { get; set; } = 400;

    /// <summary>Longest a request may run before the server gives up on it and answers 504.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public IEnumerable<string> Problems(string prefix)
    {
        if (MaxBodyBytes < 1024)
        {
            yield return $"{prefix}.MaxBodyBytes must be at least 1024, got {MaxBodyBytes}";
        }

        if (RequestsPerSecond < 1)
        {
            yield return $"{prefix}.RequestsPerSecond must be at least 1, got {RequestsPerSecond}";
        }

        if (Burst < RequestsPerSecond)
        {
            yield return $"{prefix}.Burst must be at least RequestsPerSecond ({RequestsPerSecond}), got {Burst}";
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            yield return $"{prefix}.RequestTimeout must be positive, got {RequestTimeout}";
        }
    }
}
