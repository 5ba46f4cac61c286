using Canopy.Contracts;

namespace Canopy.Hosting.Metrics;

/// <summary>The credential of <c>/metrics</c>: configured, or made at the first start and kept in <c>&lt;data dir&gt;/metrics-token</c>.</summary>
public sealed class ScrapeToken
{
    public const string FileName = "metrics-token";
    public const string Prefix = "cmt_";
    private readonly string _token;

    private ScrapeToken(string token, string? file)
    {
        _token = token;
        File = file;
    }

    /// <summary>Where the token is kept; null when it is configured (<see cref="MetricsOptions.ScrapeToken"/>).</summary>
    public string? File { get; }

    /// <exception cref="ArgumentException">A configured token is shorter than <see cref="Secrets.MinLength"/>.</exception>
    public static ScrapeToken LoadOrCreate(MetricsOptions options, string dataDir)
    {
        if (!string.IsNullOrWhiteSpace(options.ScrapeToken))
        {
            return options.ScrapeToken.Trim().Length >= Secrets.MinLength
                ? new ScrapeToken(options.ScrapeToken.Trim(), null)
                : throw new ArgumentException(
                    $"Metrics:ScrapeToken (CANOPY_METRICS_TOKEN) has {options.ScrapeToken.Trim().Length} characters; at least {Secrets.MinLength} are required " +
                    "(e.g. `openssl rand -hex 32`), or leave it empty to have one made in the data dir.");
        }

        var file = Path.Combine(dataDir, FileName);
        return new ScrapeToken(TokenFile.LoadOrCreate(file, Prefix).Token, file);
    }

    public bool Matches(string given) => Secrets.Same(given, _token);
}
