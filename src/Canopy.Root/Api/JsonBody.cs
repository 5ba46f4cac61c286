using System.Text;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Hosting;
using Microsoft.AspNetCore.Http;

namespace Canopy.Root.Api;

/// <summary>Reads request bodies with Canopy's JSON settings and turns every reading error into a 400 that names the field.</summary>
internal static class JsonBody
{
    public static async Task<string> ReadTextAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(ct);
    }

    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken ct) where T : class =>
        Parse<T>(await ReadTextAsync(request, ct));

    public static T Parse<T>(string text) where T : class
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw ApiProblem.BadRequest("The request body is empty; a JSON object is expected.");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(text, CanopyJson.Options)
                ?? throw ApiProblem.BadRequest("The request body is JSON null; a JSON object is expected.");
        }
        catch (JsonException e)
        {
            var field = FieldOf(e.Path);
            var reason = e.Message.Split(" Path:", 2)[0];
            throw ApiProblem.BadRequest(
                field.Length == 0 ? $"The request body is not valid: {reason}" : $"{field}: wrong type or value",
                [field.Length == 0 ? reason : $"{field}: {reason}"]);
        }
    }

    /// <summary><c>$.applications[0].memory</c> → <c>applications[0].memory</c>.</summary>
    public static string FieldOf(string? jsonPath) => (jsonPath ?? "").TrimStart('$').TrimStart('.');
}
