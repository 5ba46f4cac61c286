using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;

namespace Canopy.Cli.Client;

/// <summary>
/// Talks to the root's API with the remembered token; refreshes it once when it expired; turns problem+json answers
/// into <see cref="CliException"/>s with the server's own message.
/// </summary>
public sealed class ApiClient : IDisposable
{
    private readonly CliConfig _config;
    private readonly bool _tokenFromFlag;
    private const string LeaderHeader = "Canopy-Leader";
    private Endpoint[] _endpoints;
    private int _current;

    /// <param name="server">One root address, or several replicas' separated by commas: the first that answers serves.</param>
    /// <param name="caPin">The CA to trust (login's --ca-fingerprint); else the one pinned for the server, else $CANOPY_CA_FINGERPRINT.</param>
    public ApiClient(string? server, string? token, CliConfig config, string? caPin = null)
    {
        _config = config;
        Servers = Split(ServerOf(server, config));

        // Replicas of one root share its CA: a pin remembered for one of them holds for all.
        var sharedPin = caPin ?? Servers.Select(config.PinFor).FirstOrDefault(p => p is not null) ?? EnvironmentPin();
        _endpoints = [.. Servers.Select(s => new Endpoint(s, sharedPin))];
        Token = token ?? Environment.GetEnvironmentVariable("CANOPY_TOKEN") ?? (SameServer ? config.Token : null);
        _tokenFromFlag = token is not null;
    }

    /// <summary>The root address in use: the first of <see cref="Servers"/> that answered.</summary>
    public string Server => _endpoints[_current].Url;

    /// <summary>Every address given (replicas of one root), in the order they are tried.</summary>
    public IReadOnlyList<string> Servers { get; }

    /// <summary>The pin this client checks the server against (null for an http server or none pinned).</summary>
    public string? CaPin => _endpoints[_current].Trust.Pin;

    /// <summary>The address(es) to use: the flag, else $CANOPY_SERVER, else the remembered one, else the default; a comma list stays one.</summary>
    public static string ServerOf(string? server, CliConfig config) =>
        string.Join(',', Split(server ?? Environment.GetEnvironmentVariable("CANOPY_SERVER") ?? config.Server ?? CliConfig.DefaultServer));

    /// <summary>The addresses of a comma list, without trailing slashes or repeats.</summary>
    public static IReadOnlyList<string> Split(string servers)
    {
        var list = servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.TrimEnd('/')).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return list.Count > 0 ? list : [CliConfig.DefaultServer];
    }

    private static string? EnvironmentPin() =>
        Environment.GetEnvironmentVariable("CANOPY_CA_FINGERPRINT") is { Length: > 0 } text
            ? Security.CaPin.TryParse(text, out var pin) ? pin : throw new CliException($"$CANOPY_CA_FINGERPRINT: {text} is not a CA fingerprint (sha256: and 64 hex digits).", ExitCodes.InvalidInput)
            : null;

    public string? Token { get; private set; }

    // The remembered token is the remembered root's: good for any of its replicas.
    private bool SameServer => _config.Server is null || Split(_config.Server).Intersect(Servers, StringComparer.OrdinalIgnoreCase).Any();

    public async Task<LoginResponse> LoginAsync(string username, string password, CancellationToken ct, string? organization = null)
    {
        var login = await SendAsync<LoginResponse>(
            HttpMethod.Post, "api/auth/login", new LoginRequest(username, password) { Organization = organization }, ct, authenticate: false);
        Token = login.Token;
        return login;
    }

    /// <summary>Revokes a refresh token at the root.</summary>
    public Task<MessageResponse> LogoutAsync(string refreshToken, CancellationToken ct) =>
        SendAsync<MessageResponse>(HttpMethod.Post, "api/auth/logout", new RefreshRequest(refreshToken), ct, authenticate: false);

    public Task<T> GetAsync<T>(string path, CancellationToken ct) => SendAsync<T>(HttpMethod.Get, path, null, ct);

    public Task<T> PostAsync<T>(string path, object? body, CancellationToken ct) => SendAsync<T>(HttpMethod.Post, path, body, ct);

    public Task<T> PutAsync<T>(string path, object? body, CancellationToken ct) => SendAsync<T>(HttpMethod.Put, path, body, ct);

    public Task<JsonElement> DeleteAsync(string path, CancellationToken ct) => SendAsync<JsonElement>(HttpMethod.Delete, path, null, ct);

    /// <summary>Posts a body that is already JSON text (a descriptor file).</summary>
    public Task<T> PostJsonAsync<T>(string path, string json, CancellationToken ct) => SendAsync<T>(HttpMethod.Post, path, new RawJson(json), ct);

    /// <summary>
    /// Opens a stream (<c>text/event-stream</c>): the response as soon as its headers came, for the caller to read and dispose. A stream
    /// resumes after <paramref name="lastEventId"/> when given.
    /// </summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(string path, string? lastEventId, CancellationToken ct)
    {
        var stream = new Streaming(lastEventId);
        var response = await SendOnceAsync(HttpMethod.Get, path, null, true, ct, stream);
        if (response.StatusCode == HttpStatusCode.Unauthorized && await TryRefreshAsync(ct))
        {
            response.Dispose();
            response = await SendOnceAsync(HttpMethod.Get, path, null, true, ct, stream);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw ToException(response.StatusCode, await response.Content.ReadAsStringAsync(ct));
            }
        }

        return response;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct, bool authenticate = true)
    {
        using var response = await SendOnceAsync(method, path, body, authenticate, ct);
        if (response.StatusCode == HttpStatusCode.Unauthorized && authenticate && await TryRefreshAsync(ct))
        {
            using var retry = await SendOnceAsync(method, path, body, authenticate, ct);
            return await ReadAsync<T>(retry, ct);
        }

        return await ReadAsync<T>(response, ct);
    }

    /// <summary>
    /// Sends to the address in use; when it cannot be reached (a replica that is down), to the next one, so a dead replica does not
    /// break a command. Only a request that never left is sent again: one whose answer was lost might have been applied.
    /// </summary>
    private async Task<HttpResponseMessage> SendOnceAsync(
        HttpMethod method, string path, object? body, bool authenticate, CancellationToken ct, Streaming? stream = null)
    {
        for (var tried = 1; ; tried++)
        {
            try
            {
                var response = await SendToAsync(_endpoints[_current], method, path, body, authenticate, ct, stream);
                if (LeaderElsewhere(response) is not { } leader)
                {
                    return response;
                }

                // A follower refused what only the leader does (nothing was applied): ask the leader it names, once.
                response.Dispose();
                return await SendToAsync(leader, method, path, body, authenticate, ct, stream);
            }
            catch (CliException e) when (e.ExitCode == ExitCodes.ServerUnreachable && tried < _endpoints.Length)
            {
                _current = (_current + 1) % _endpoints.Length;
            }
        }
    }

    /// <summary>The leader a root replica's 421 answer names (<c>Canopy-Leader</c> header), as an address to use; else null.</summary>
    private Endpoint? LeaderElsewhere(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.MisdirectedRequest || !response.Headers.TryGetValues(LeaderHeader, out var values) ||
            values.FirstOrDefault()?.TrimEnd('/') is not { Length: > 0 } url || !Uri.TryCreate(url, UriKind.Absolute, out _))
        {
            return null;
        }

        var index = Array.FindIndex(_endpoints, e => string.Equals(e.Url, url, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
        {
            // A replica not given: trusted only through the CA pinned for the ones given (replicas share it).
            Array.Resize(ref _endpoints, _endpoints.Length + 1);
            index = _endpoints.Length - 1;
            _endpoints[index] = new Endpoint(url, _endpoints[_current].Trust.Pin);
        }

        _current = index;
        return _endpoints[index];
    }

    private async Task<HttpResponseMessage> SendToAsync(
        Endpoint endpoint, HttpMethod method, string path, object? body, bool authenticate, CancellationToken ct, Streaming? stream = null)
    {
        var server = endpoint.Url;
        endpoint.Trust.EnsurePinned();
        using var request = new HttpRequestMessage(method, path);
        if (authenticate)
        {
            if (Token is null)
            {
                throw new CliException($"Not logged in to {server}. Run `canopy login --server {server}` first.", ExitCodes.NotLoggedIn);
            }

            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        if (body is not null)
        {
            var json = body is RawJson raw ? raw.Text : JsonSerializer.Serialize(body, body.GetType(), CanopyJson.Options);
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        try
        {
            if (stream is not null)
            {
                request.Headers.Accept.ParseAdd("text/event-stream");
                if (stream.LastEventId is { } last)
                {
                    request.Headers.Add("Last-Event-ID", last);
                }
            }

            return await endpoint.Http.SendAsync(request, stream is null ? HttpCompletionOption.ResponseContentRead : HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e) when (endpoint.Trust.Refusal(e) is { } refused)
        {
            throw refused;
        }
        catch (HttpRequestException e) when (!endpoint.Trust.Https && e.HttpRequestError == HttpRequestError.ResponseEnded)
        {
            throw new CliException($"The server at {server} closed the connection without an answer; a Canopy root speaks HTTPS unless run with --insecure-http: try --server {HttpsOf(server)}.",
                ExitCodes.ServerUnreachable);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            var others = _endpoints.Length > 1 ? $" (nor any of {string.Join(", ", Servers)})" : "";
            throw new CliException($"Cannot reach the Canopy API at {server}{others} ({e.Message}). Is `canopy up` running? Use --server to point elsewhere.", ExitCodes.ServerUnreachable);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException($"The Canopy API at {server} did not answer in time.", ExitCodes.Timeout);
        }
    }

    private async Task<bool> TryRefreshAsync(CancellationToken ct)
    {
        if (_tokenFromFlag || !SameServer || _config.RefreshToken is null)
        {
            return false;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "api/auth/refresh");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _config.RefreshToken);
        using var response = await _endpoints[_current].Http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            return false;
        }

        var refreshed = await response.Content.ReadFromJsonAsync<RefreshResponse>(CanopyJson.Options, ct);
        if (refreshed?.Token is null)
        {
            return false;
        }

        Token = refreshed.Token;
        _config.Token = refreshed.Token;
        _config.Save();
        return true;
    }

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw ToException(response.StatusCode, text);
        }

        if (typeof(T) == typeof(JsonElement) && text.Length == 0)
        {
            return (T)(object)JsonDocument.Parse("{}").RootElement.Clone();
        }

        try
        {
            return JsonSerializer.Deserialize<T>(text, CanopyJson.Options)!;
        }
        catch (JsonException e)
        {
            throw new CliException($"The server at {Server} answered something that is not Canopy JSON: {e.Message}", ExitCodes.ServerError);
        }
    }

    private CliException ToException(HttpStatusCode status, string body)
    {
        string message;
        var errors = new List<string>();
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            message = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()!
                : root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()!
                : root.TryGetProperty("title", out var t) ? t.GetString() ?? status.ToString() : status.ToString();
            if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Array)
            {
                errors.AddRange(e.EnumerateArray().Select(x => x.ToString()));
            }
        }
        catch (JsonException)
        {
            message = body.Length > 0 ? body : status.ToString();
        }

        var full = errors.Count == 0 ? message : message + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(x => "  - " + x));
        var code = status switch
        {
            HttpStatusCode.Unauthorized => ExitCodes.NotLoggedIn,
            HttpStatusCode.NotFound => ExitCodes.NotFound,
            HttpStatusCode.BadRequest or HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity => ExitCodes.InvalidInput,
            _ when (int)status >= 500 => ExitCodes.ServerError,
            _ => ExitCodes.Failure,
        };
        if (status == HttpStatusCode.Unauthorized)
        {
            full += $" (run `canopy login --server {Server}`)";
        }

        return new CliException(full, code);
    }

    public void Dispose()
    {
        foreach (var endpoint in _endpoints)
        {
            endpoint.Dispose();
        }
    }

    private static string HttpsOf(string server) => "https://" + server[(server.IndexOf("://", StringComparison.Ordinal) + 3)..];

    private sealed record RawJson(string Text);

    /// <summary>A request whose answer is read as it comes (<see cref="OpenStreamAsync"/>).</summary>
    private sealed record Streaming(string? LastEventId);

    /// <summary>One address with its trust and its HTTP client (made on first use).</summary>
    private sealed class Endpoint(string url, string? pin) : IDisposable
    {
        private HttpClient? _http;

        public string Url { get; } = url;

        public ServerTrust Trust { get; } = new(url, pin);

        public HttpClient Http => _http ??= new HttpClient(Trust.CreateHandler()) { BaseAddress = new Uri(Url + "/"), Timeout = TimeSpan.FromSeconds(30) };

        public void Dispose() => _http?.Dispose();
    }
}
