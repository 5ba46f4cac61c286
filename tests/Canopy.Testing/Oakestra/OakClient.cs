using System.Net;
using System.Text;

namespace Canopy.Testing.Oakestra;

/// <summary>Calls the root as the <c>oak</c> CLI's <c>Client.Do</c> does: anything but HTTP 200 is a failure, the body is decoded strictly.</summary>
public sealed class OakClient(HttpClient http)
{
    public async Task<T> GetAsync<T>(string endpoint) => OakJson.Decode<T>(await DoAsync(HttpMethod.Get, endpoint));

    public async Task<T> PostAsync<T>(string endpoint, string json) => OakJson.Decode<T>(await DoAsync(HttpMethod.Post, endpoint, json));

    /// <summary>The body of a 200 answer; throws with the status and body otherwise (the test fails).</summary>
    public async Task<string> DoAsync(HttpMethod method, string endpoint, string? json = null)
    {
        var (status, body) = await SendAsync(method, endpoint, json);
        return status == HttpStatusCode.OK ? body : throw new HttpRequestException(
            $"{method} {endpoint}: the oak CLI counts only HTTP 200 as success; the answer was {(int)status} {body}", null, status);
    }

    public async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string endpoint, string? json = null)
    {
        using var request = new HttpRequestMessage(method, endpoint);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
