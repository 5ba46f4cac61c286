using System.Net;
using System.Text.Json;

namespace Canopy.Root.Tests.Infrastructure;

internal static class Problems
{
    /// <summary>Asserts the status and that the body is application/problem+json; returns the problem document.</summary>
    public static async Task<JsonElement> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, body);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", body);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    public static string Detail(this JsonElement problem) => problem.GetProperty("detail").GetString() ?? "";

    public static IReadOnlyList<string> Errors(this JsonElement problem) =>
        problem.TryGetProperty("errors", out var errors) ? errors.EnumerateArray().Select(e => e.GetString() ?? "").ToList() : [];
}
