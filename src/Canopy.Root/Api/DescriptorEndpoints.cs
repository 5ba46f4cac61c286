using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Core.Descriptors;
using Canopy.Hosting;
using Canopy.Root.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Canopy.Root.Api;

/// <summary>
/// <c>POST /api/v1/descriptors/json</c>: a descriptor in YAML (or JSON) read the way a deploy reads it, answered as JSON,
/// checked for nothing and stored nowhere. The dashboard shows a YAML descriptor's errors at their paths with it; a script
/// converts a YAML file with it.
/// </summary>
internal static class DescriptorEndpoints
{
    public static void MapDescriptors(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/v1/descriptors/json", async (HttpContext context, CancellationToken ct) =>
            {
                var json = await JsonBody.ReadDescriptorAsync(context.Request, ct);
                try
                {
                    return Results.Json(JsonNode.Parse(json), contentType: "application/json");
                }
                catch (JsonException e)
                {
                    throw ApiProblem.BadRequest($"The request body is not valid JSON: {e.Message}", [e.Message]);
                }
            })
            .RequireAuthorization(Policies.Workloads).WithTags("applications")
            .AcceptsDescriptor<SlaDocument>().Produces<SlaDocument>()
            .WithSummary("Reads a descriptor sent as YAML (application/yaml) or JSON and answers it as JSON; nothing is validated or stored.");
}
