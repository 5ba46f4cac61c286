using System.Net;
using System.Text.Json;

namespace Canopy.Cluster.RootLink;

/// <summary>
/// A root replica that is not the leader answers a cluster's link with 421 Misdirected Request and names the leader's URL in a
/// <c>Canopy-Leader</c> header and the problem+json body's <c>leader_url</c> field (Canopy.Root.Replicas.FollowerAnswer), or 503
/// while no replica leads. A <c>Location</c> header (a 307/308 from a proxy) and a <c>leader</c> field are taken too. This reads
/// the URL back as the root's base URL (a WebSocket's <c>wss://.../api/v1/clusters/{id}/link</c> becomes <c>https://...</c>).
/// </summary>
internal static class LeaderHint
{
    private const string ApiPath = "/api/v1/";
    private static readonly string[] Headers = ["Canopy-Leader", "Location"];
    private static readonly string[] Fields = ["leader_url", "leader"];

    /// <summary>True for the statuses with which a replica says "not me": the cluster tries another address rather than backing off.</summary>
    public static bool IsNotLeader(HttpStatusCode status) =>
        status is HttpStatusCode.MisdirectedRequest or HttpStatusCode.ServiceUnavailable or HttpStatusCode.TemporaryRedirect
            or HttpStatusCode.PermanentRedirect;

    /// <summary>The leader named by a refused WebSocket upgrade (its headers; a WebSocket client never sees the body).</summary>
    public static string? FromHeaders(HttpStatusCode status, IReadOnlyDictionary<string, IEnumerable<string>>? headers, string requested) =>
        IsNotLeader(status) && headers is not null
            ? Headers.Select(h => headers.TryGetValue(h, out var values) ? BaseUrl(values.FirstOrDefault(), requested) : null).FirstOrDefault(u => u is not null)
            : null;

    /// <summary>The leader named by a refused registration: the <c>Location</c> header, else the problem body's <c>leader</c>.</summary>
    public static string? FromResponse(HttpResponseMessage response, string body)
    {
        if (!IsNotLeader(response.StatusCode))
        {
            return null;
        }

        var requested = response.RequestMessage?.RequestUri?.ToString() ?? "";
        foreach (var header in Headers)
        {
            if (response.Headers.TryGetValues(header, out var values) && BaseUrl(values.FirstOrDefault(), requested) is { } fromHeader)
            {
                return fromHeader;
            }
        }

        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.ValueKind != JsonValueKind.Object
                ? null
                : Fields.Select(f => problem.RootElement.TryGetProperty(f, out var leader) && leader.ValueKind == JsonValueKind.String
                    ? BaseUrl(leader.GetString(), requested)
                    : null).FirstOrDefault(u => u is not null);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The root's base URL in <paramref name="location"/> (absolute, or relative to the request), with ws(s) as http(s).</summary>
    public static string? BaseUrl(string? location, string requested)
    {
        if (string.IsNullOrWhiteSpace(location))
        {
            return null;
        }

        // On Linux "/api/..." parses as an absolute file: URI; only a web scheme makes a location absolute here.
        Uri? uri;
        if (!(Uri.TryCreate(location, UriKind.Absolute, out uri) && uri.Scheme is "http" or "https" or "ws" or "wss") &&
            !(!location.Contains("://", StringComparison.Ordinal) &&
              Uri.TryCreate(requested, UriKind.Absolute, out var basis) && Uri.TryCreate(basis, location, out uri)))
        {
            return null;
        }

        var builder = new UriBuilder(uri) { Query = "", Fragment = "" };
        builder.Scheme = builder.Scheme switch
        {
            "wss" => Uri.UriSchemeHttps,
            "ws" => Uri.UriSchemeHttp,
            var other => other,
        };
        if (builder.Path.IndexOf(ApiPath, StringComparison.Ordinal) is var at and >= 0)
        {
            builder.Path = builder.Path[..at];
        }

        // UriBuilder keeps an explicit default port (https://host:443); the address list compares normalized URLs.
        return RootAddresses.Normalize(builder.Uri.ToString());
    }
}
