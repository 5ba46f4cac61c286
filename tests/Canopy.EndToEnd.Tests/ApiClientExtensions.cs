using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;

using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

internal static class ApiClientExtensions
{
    public static async Task<T> GetJsonAsync<T>(this HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {path}: {(int)response.StatusCode} {text}");
        }

        return CanopyJson.Deserialize<T>(text)!;
    }

    public static Task<List<ApplicationDocument>> AppsAsync(this HttpClient http) => http.GetJsonAsync<List<ApplicationDocument>>("api/applications/");

    public static Task<ServiceDocument> ServiceAsync(this HttpClient http, string id) => http.GetJsonAsync<ServiceDocument>($"api/service/{id}");

    public static async Task<ServiceDocument> ServiceByNameAsync(this HttpClient http, string appName)
    {
        var app = (await http.AppsAsync()).Single(a => a.ApplicationName == appName);
        return await http.ServiceAsync(app.Microservices.Single());
    }

    public static async Task<string> GetTextAsync(int port)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        return await client.GetStringAsync($"http://127.0.0.1:{port}/");
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string path, object body) =>
        http.PostAsJsonAsync(path, body, CanopyJson.Options);
}
