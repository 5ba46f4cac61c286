using Canopy.Contracts.Api;
using Canopy.Hosting;
using Canopy.Root.Api;
using Canopy.Root.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Auth;

/// <summary><c>POST /api/auth/login</c> and <c>POST /api/auth/refresh</c>, Oakestra's shapes.</summary>
internal static partial class AuthEndpoints
{
    public static void MapAuth(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("auth");
        auth.MapPost("/login", LoginAsync).AllowAnonymous()
            .Accepts<LoginRequest>("application/json").Produces<LoginResponse>()
            .WithSummary("User name and password → access token (short-lived) and refresh token.");
        auth.MapPost("/refresh", RefreshAsync).AllowAnonymous()
            .Accepts<RefreshRequest>("application/json").Produces<RefreshResponse>()
            .WithSummary("Refresh token (Authorization: Bearer, or body refresh_token) → new access token.");
    }

    private static async Task<IResult> LoginAsync(
        HttpContext context, IRootStore store, TokenService tokens, ILoggerFactory loggers, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<LoginBody>(context.Request, ct);
        if (string.IsNullOrEmpty(body.Username) || string.IsNullOrEmpty(body.Password))
        {
            throw ApiProblem.BadRequest("username and password are required", [
                .. string.IsNullOrEmpty(body.Username) ? ["username: required"] : Array.Empty<string>(),
                .. string.IsNullOrEmpty(body.Password) ? ["password: required"] : Array.Empty<string>()]);
        }

        var user = await store.GetUserAsync(body.Username, ct);
        if (!PasswordHasher.Verify(body.Password, user?.PasswordHash) || user is null)
        {
            LoginFailed(loggers.CreateLogger("Canopy.Root.Auth"), body.Username);
            throw ApiProblem.Unauthorized("invalid username or password");
        }

        return Results.Ok(new LoginResponse(tokens.CreateAccessToken(user), tokens.CreateRefreshToken(user)));
    }

    private static async Task<IResult> RefreshAsync(HttpContext context, IRootStore store, TokenService tokens, CancellationToken ct)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        if (string.IsNullOrEmpty(token))
        {
            var text = await JsonBody.ReadTextAsync(context.Request, ct);
            token = string.IsNullOrWhiteSpace(text) ? null : JsonBody.Parse<RefreshRequest>(text).RefreshToken;
        }

        if (string.IsNullOrEmpty(token))
        {
            throw ApiProblem.Unauthorized("No refresh token: send it as 'Authorization: Bearer <refresh_token>' or in the body as {\"refresh_token\": ...}.");
        }

        var (name, error) = await tokens.ValidateRefreshTokenAsync(token);
        if (name is null)
        {
            throw ApiProblem.Unauthorized(error!);
        }

        // Roles come from the store, not the old token: a changed or deleted user gets what they have now.
        var user = await store.GetUserAsync(name, ct) ?? throw ApiProblem.Unauthorized($"User '{name}' no longer exists.");
        return Results.Ok(new RefreshResponse(tokens.CreateAccessToken(user)));
    }

    /// <summary>Lenient on purpose: a missing field is answered with what is missing, not a deserialization error. Oakestra's organization_name is accepted and ignored.</summary>
    private sealed record LoginBody(string? Username, string? Password, string? OrganizationName);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Failed login for user {UserName}")]
    private static partial void LoginFailed(ILogger log, string userName);
}
