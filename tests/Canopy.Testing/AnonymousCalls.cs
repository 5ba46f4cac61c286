using System.Text;
using System.Text.Json;

namespace Canopy.Testing;

/// <summary>
/// Calls every route of a tier without any credential: the routes come from the app's <see cref="EndpointDataSource"/>, so a
/// route added later is called too. Route parameters get placeholder values, bodies are <c>{}</c>.
/// </summary>
public static class AnonymousCalls
{
    /// <param name="Route">Method and route pattern, e.g. <c>GET /api/v1/nodes/{id}</c>.</param>
    /// <param name="Detail">The problem's <c>detail</c>, when the answer is problem+json.</param>
    public sealed record Answer(string Route, int Status, string? ContentType, string? Detail);

    public static async Task<IReadOnlyList<Answer>> CallEveryRouteAsync(IServiceProvider services, HttpClient anonymous)
    {
        var answers = new List<Answer>();
        foreach (var route in ApiRoutes.Of(services))
        {
            using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path());
            if (route.TakesBody)
            {
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            }

            using var response = await anonymous.SendAsync(request);
            var type = response.Content.Headers.ContentType?.MediaType;
            var body = await response.Content.ReadAsStringAsync();
            answers.Add(new Answer(route.ToString(), (int)response.StatusCode, type, type == "application/problem+json" ? DetailOf(body) : null));
        }

        return answers;
    }

    private static string? DetailOf(string body)
    {
        using var problem = JsonDocument.Parse(body);
        return problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
    }
}
