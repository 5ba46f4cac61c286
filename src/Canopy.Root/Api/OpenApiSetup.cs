using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Canopy.Root.Api;

/// <summary>The OpenAPI document at <c>/api/docs/v1/swagger.json</c>, with the bearer scheme the API expects.</summary>
internal static class OpenApiSetup
{
    public static void Configure(SwaggerGenOptions o)
    {
        o.SwaggerDoc("v1", new OpenApiInfo
        {
            Title = "Canopy root orchestrator",
            Version = "v1",
            Description = "Oakestra-compatible public API (/api/...) and Canopy's additions (/api/v1/...). " +
                          "Log in with POST /api/auth/login and send the token as 'Authorization: Bearer <token>'.",
        });
        o.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "Access token from POST /api/auth/login.",
        });
        o.AddSecurityRequirement(document => new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference("bearer", document)] = [],
        });

        // Type names repeat across namespaces (Contracts vs Core); full names keep schema ids apart.
        o.CustomSchemaIds(t => t.FullName?.Replace('+', '.'));
    }
}
