using Canopy.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace Canopy.Root.Auth;

/// <summary>Refuses refresh tokens as access tokens, and answers 401/403 as problem+json that says what to do.</summary>
internal static class JwtEvents
{
    private const string LoginHint = "Log in with POST /api/auth/login {\"username\",\"password\"} (or `canopy login`) and send 'Authorization: Bearer <token>'.";

    public static JwtBearerEvents Create() => new()
    {
        OnTokenValidated = context =>
        {
            if (context.Principal?.FindFirst(TokenService.TypeClaim)?.Value == TokenService.RefreshType)
            {
                context.Fail(new RefreshTokenUsedException());
            }

            return Task.CompletedTask;
        },
        OnChallenge = async context =>
        {
            context.HandleResponse();
            context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
            await ProblemJson.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthorized", Describe(context), []);
        },
        OnForbidden = context => ProblemJson.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden",
            Policies.Forbidden(context.HttpContext), []),
    };

    private static string Describe(JwtBearerChallengeContext context) => context.AuthenticateFailure switch
    {
        SecurityTokenExpiredException e =>
            $"The token expired at {e.Expires:yyyy-MM-dd HH:mm:ss}Z. Get a new one with POST /api/auth/refresh (send the refresh token), or log in again. {LoginHint}",
        RefreshTokenUsedException e => e.Message,
        not null => $"The bearer token is not valid (bad signature, issuer or format). {LoginHint}",
        null when context.Request.Headers.Authorization.Count == 0 => $"No bearer token was sent. {LoginHint}",
        null => $"The Authorization header does not hold a bearer token. {LoginHint}",
    };

    private sealed class RefreshTokenUsedException() : Exception(
        "A refresh token cannot be used as an access token; exchange it for one at POST /api/auth/refresh.");
}
