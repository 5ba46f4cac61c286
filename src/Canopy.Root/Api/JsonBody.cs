using System.Text;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Hosting;
using Canopy.Hosting.Descriptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Canopy.Root.Api;

/// <summary>Reads request bodies with Canopy's JSON settings and turns every reading error into a 400 that names the field.</summary>
internal static class JsonBody
{
    public static async Task<string> ReadTextAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(ct);
    }

    /// <summary>The media types a descriptor may be sent as besides JSON.</summary>
    public static readonly IReadOnlyList<string> YamlTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];

    /// <summary>
    /// An SLA descriptor body as JSON text: given as JSON, or as YAML when the Content-Type says so (the dashboard and curl
    /// users post a YAML file as it is); unreadable YAML is a 400 naming the line and column.
    /// </summary>
    public static async Task<string> ReadDescriptorAsync(HttpRequest request, CancellationToken ct)
    {
        var text = await ReadTextAsync(request, ct);
        if (!IsYaml(request))
        {
            return text;
        }

        try
        {
            return DescriptorYaml.ToJson(text) ?? throw ApiProblem.BadRequest("The request body is empty; a YAML mapping is expected.");
        }
        catch (FormatException e)
        {
            throw ApiProblem.BadRequest($"The request body is not valid YAML: {e.Message}", [e.Message]);
        }
    }

    /// <summary>Declares (for routing and OpenAPI) that the endpoint takes <typeparamref name="T"/> as JSON or as YAML.</summary>
    public static RouteHandlerBuilder AcceptsDescriptor<T>(this RouteHandlerBuilder endpoint) where T : notnull =>
        endpoint.Accepts<T>("application/json", [.. YamlTypes]);

    private static bool IsYaml(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type) &&
        YamlTypes.Contains(type.MediaType.Value ?? "", StringComparer.OrdinalIgnoreCase);

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
