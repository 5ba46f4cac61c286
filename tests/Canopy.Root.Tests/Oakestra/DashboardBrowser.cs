using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Canopy.Root.Tests.Oakestra;

/// <summary>
/// Calls the root as a browser does for Oakestra's dashboard, which is served from another origin: a CORS preflight
/// (OPTIONS with the method and headers it is about to send) before each call, then the call with its Origin, and the
/// answer is readable only when it names that origin in Access-Control-Allow-Origin. Both are checked on every call.
/// </summary>
internal sealed class DashboardBrowser(HttpClient http, string origin)
{
    public string? Token { get; set; }

    public async Task<JsonElement> CallAsync(HttpMethod method, string path, object? body = null, string? bearer = null)
    {
        var (status, json) = await SendAsync(method, path, body, bearer);
        status.ShouldBe(HttpStatusCode.OK, $"{method} {path}: {json}");
        return json;
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body = null, string? bearer = null)
    {
        // null: the session's token; empty: none (logging in).
        bearer = bearer is null ? Token : bearer.Length == 0 ? null : bearer;
        var headers = new List<string>();
        if (bearer is not null)
        {
            headers.Add("authorization");
        }

        if (body is not null)
        {
            headers.Add("content-type");
        }

        await PreflightAsync(method, path, headers);

        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Origin", origin);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        AllowedOrigin(response).ShouldBe(origin, $"{method} {path} answered {(int)response.StatusCode} without allowing {origin}: the browser would hide it");
        using var document = JsonDocument.Parse(text.Length == 0 ? "null" : text);
        return (response.StatusCode, document.RootElement.Clone());
    }

    /// <summary>What a browser sends before a call with an Authorization or JSON Content-Type header; fails unless allowed.</summary>
    public async Task PreflightAsync(HttpMethod method, string path, IReadOnlyList<string> headers)
    {
        using var response = await PreflightResponseAsync(method, path, headers);
        ((int)response.StatusCode).ShouldBeInRange(200, 299, $"preflight of {method} {path}");
        AllowedOrigin(response).ShouldBe(origin, $"preflight of {method} {path}");
        Values(response, "Access-Control-Allow-Methods").ShouldContain(method.Method);
        foreach (var header in headers)
        {
            Values(response, "Access-Control-Allow-Headers").ShouldContain(h => string.Equals(h, header, StringComparison.OrdinalIgnoreCase));
        }
    }

    public async Task<HttpResponseMessage> PreflightResponseAsync(HttpMethod method, string path, IReadOnlyList<string> headers)
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, path);
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", method.Method);
        if (headers.Count > 0)
        {
            preflight.Headers.Add("Access-Control-Request-Headers", string.Join(",", headers));
        }

        return await http.SendAsync(preflight);
    }

    public static string? AllowedOrigin(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;

    private static List<string> Values(HttpResponseMessage response, string header) =>
        response.Headers.TryGetValues(header, out var values)
            ? values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList()
            : [];
}
