using System.Security.Claims;
using Canopy.Contracts.Api;
using Canopy.Root.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Canopy.Root.Vault;

/// <summary><c>/api/v1/secrets</c>: the caller's secrets. Values go in and never come out; every answer names and describes only.</summary>
internal static class SecretEndpoints
{
    public static void MapSecrets(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1/secrets").WithTags("secrets").RequireAuthorization(Auth.Policies.Workloads);
        v1.MapPost("", async (HttpRequest request, ClaimsPrincipal user, SecretVault vault, CancellationToken ct) =>
            {
                var created = await vault.CreateAsync(user, await JsonBody.ReadAsync<CreateSecretRequest>(request, ct), ct);
                return Results.Created($"/api/v1/secrets/{created.Name}", created);
            })
            .Accepts<CreateSecretRequest>("application/json").Produces<SecretDocument>(StatusCodes.Status201Created)
            .WithSummary("Stores a secret (key/value data or a registry login) encrypted; the answer, like every other, holds no value.");
        v1.MapGet("", async (ClaimsPrincipal user, SecretVault vault, CancellationToken ct) => Results.Ok(await vault.ListAsync(user, ct)))
            .Produces<List<SecretDocument>>().WithSummary("The caller's secrets: names, kinds, key names, registry hosts; never values.");
        v1.MapGet("/{name}", async (string name, ClaimsPrincipal user, SecretVault vault, CancellationToken ct) => Results.Ok(await vault.GetAsync(user, name, ct)))
            .Produces<SecretDocument>().WithSummary("One secret's description; never its values.");
        v1.MapDelete("/{name}", async (string name, ClaimsPrincipal user, SecretVault vault, CancellationToken ct) => Results.Ok(await vault.DeleteAsync(user, name, ct)))
            .Produces<SecretDocument>().WithSummary("Deletes a secret no service names any more; answers what it was.");
    }
}
