using System.Globalization;
using Canopy.Contracts.Api;
using Canopy.Hosting;
using Canopy.Root.Api;
using Canopy.Root.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Auth;

/// <summary><c>POST /api/auth/login</c>, <c>/refresh</c> (Oakestra's shapes) and <c>/logout</c> (Canopy's: Oakestra has none).</summary>
internal static partial class AuthEndpoints
{
    public static void MapAuth(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("auth");
        auth.MapPost("/login", LoginAsync).AllowAnonymous()
            .Accepts<LoginRequest>("application/json").Produces<LoginResponse>()
            .WithSummary("User name, password and optionally an organization → access token (short-lived) and refresh token.");
        auth.MapPost("/refresh", RefreshAsync).AllowAnonymous()
            .Accepts<RefreshRequest>("application/json").Produces<RefreshResponse>()
            .WithSummary("Refresh token (Authorization: Bearer, or body refresh_token) → new access token.");
        auth.MapPost("/logout", LogoutAsync).AllowAnonymous()
            .Accepts<RefreshRequest>("application/json").Produces<MessageResponse>()
            .WithSummary("Revokes the refresh token (Authorization: Bearer, or body refresh_token); access tokens end with their short lifetime.");
    }

    private static async Task<IResult> LoginAsync(
        HttpContext context, IRootStore store, TokenService tokens, LoginThrottle throttle, TimeProvider time, ILoggerFactory loggers,
        CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<LoginBody>(context.Request, ct);
        if (string.IsNullOrEmpty(body.Username) || string.IsNullOrEmpty(body.Password))
        {
            throw ApiProblem.BadRequest("username and password are required", [
                .. string.IsNullOrEmpty(body.Username) ? ["username: required"] : Array.Empty<string>(),
                .. string.IsNullOrEmpty(body.Password) ? ["password: required"] : Array.Empty<string>()]);
        }

        var log = loggers.CreateLogger("Canopy.Root.Auth");
        var address = context.Connection.RemoteIpAddress;
        var wait = throttle.Wait(body.Username, address);
        if (wait > TimeSpan.Zero)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            LoginThrottled(log, body.Username, address?.ToString() ?? "unknown", seconds);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await ProblemJson.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests",
                $"Too many failed logins from this address; try again in {seconds} s.", []);
            return Results.Empty;
        }

        var user = await store.GetUserAsync(body.Username, ct);
        if (!PasswordHasher.Verify(body.Password, user?.PasswordHash) || user is null)
        {
            throttle.Failed(body.Username, address);
            LoginFailed(log, body.Username, address?.ToString() ?? "unknown");
            throw ApiProblem.Unauthorized("invalid username or password");
        }

        throttle.Succeeded(body.Username, address);
        if (PasswordHasher.NeedsRehash(user.PasswordHash))
        {
            // The only moment the password is at hand: an old, cheaper hash is replaced by a current one.
            await store.UpdateUserAsync(user with { PasswordHash = PasswordHasher.Hash(body.Password) }, ct);
            Rehashed(log, user.Name);
        }

        var (organization, membership, error) = await Organizations.ForLoginAsync(store, user.Name, body.Organization ?? body.OrganizationName, ct);
        if (organization is null || membership is null)
        {
            throw ApiProblem.Unauthorized(error!);
        }

        var session = new Session(user.Name, organization.Id, organization.Name, membership.Roles);
        return Results.Ok(new LoginResponse(tokens.CreateAccessToken(session), tokens.CreateRefreshToken(session)));
    }

    private static async Task<IResult> RefreshAsync(HttpContext context, IRootStore store, TokenService tokens, CancellationToken ct)
    {
        var claims = await ValidRefreshTokenAsync(context, store, tokens, ct);

        // Roles come from the store, not the old token: a changed or removed member gets what they have now.
        var user = await store.GetUserAsync(claims.UserName, ct) ?? throw ApiProblem.Unauthorized($"User '{claims.UserName}' no longer exists.");
        var membership = (await store.ListMembershipsAsync(claims.OrganizationId, user.Name, ct)).FirstOrDefault();
        var organization = await store.GetOrganizationAsync(claims.OrganizationId, ct);
        if (membership is null || organization is null)
        {
            throw ApiProblem.Unauthorized($"User '{user.Name}' is no longer a member of that organization; log in again.");
        }

        return Results.Ok(new RefreshResponse(tokens.CreateAccessToken(new Session(user.Name, organization.Id, organization.Name, membership.Roles))));
    }

    private static async Task<IResult> LogoutAsync(
        HttpContext context, IRootStore store, TokenService tokens, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        var claims = await ValidRefreshTokenAsync(context, store, tokens, ct);
        await store.RevokeTokenAsync(claims.TokenId, new DateTimeOffset(claims.ExpiresAt, TimeSpan.Zero), time.GetUtcNow(), ct);
        LoggedOut(loggers.CreateLogger("Canopy.Root.Auth"), claims.UserName);
        return Results.Ok(new MessageResponse("logged out: the refresh token is revoked"));
    }

    private static async Task<RefreshClaims> ValidRefreshTokenAsync(HttpContext context, IRootStore store, TokenService tokens, CancellationToken ct)
    {
        // The body first: a client may send its refresh token there while its Authorization header still carries its access token.
        var text = await JsonBody.ReadTextAsync(context.Request, ct);
        var token = string.IsNullOrWhiteSpace(text) ? null : JsonBody.Parse<RefreshRequest>(text).RefreshToken;
        var header = context.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(token) && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = header["Bearer ".Length..].Trim();
        }

        if (string.IsNullOrEmpty(token))
        {
            throw ApiProblem.Unauthorized("No refresh token: send it as 'Authorization: Bearer <refresh_token>' or in the body as {\"refresh_token\": ...}.");
        }

        var (claims, error) = await tokens.ValidateRefreshTokenAsync(token);
        if (claims is null)
        {
            throw ApiProblem.Unauthorized(error!);
        }

        return await store.IsTokenRevokedAsync(claims.TokenId, ct)
            ? throw ApiProblem.Unauthorized("The refresh token was revoked (logged out); log in again (POST /api/auth/login).")
            : claims;
    }

    /// <summary>
    /// Lenient on purpose: a missing field is answered with what is missing, not a deserialization error. The organization may be
    /// named <c>organization</c> (Oakestra's schema) or <c>organization_name</c> (what Oakestra's code reads), by name or id.
    /// </summary>
    private sealed record LoginBody(string? Username, string? Password, string? Organization, string? OrganizationName);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Failed login for user {UserName} from {Address}")]
    private static partial void LoginFailed(ILogger log, string userName, string address);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Login for user {UserName} from {Address} refused for {Seconds} s after repeated failures")]
    private static partial void LoginThrottled(ILogger log, string userName, string address, int seconds);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Password hash of {UserName} upgraded to the current cost")]
    private static partial void Rehashed(ILogger log, string userName);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "User {UserName} logged out; refresh token revoked")]
    private static partial void LoggedOut(ILogger log, string userName);
}
