using System.Text.Json;
using Canopy.Contracts;
using Canopy.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Canopy.Hosting;

/// <summary>Every error of a Canopy API is <c>application/problem+json</c>: ours, the framework's, and unexpected ones.</summary>
public static class ProblemJson
{
    public const string ContentType = "application/problem+json";

    /// <summary>Canopy's JSON settings for minimal APIs, and problem+json for framework errors (404 routes, 401, 405...).</summary>
    public static IServiceCollection AddCanopyApiDefaults(this IServiceCollection services)
    {
        services.Configure<JsonOptions>(o => CanopyJson.Configure(o.SerializerOptions));
        services.AddProblemDetails();

        // The framework's exception handler logs every exception it sees as an unhandled error with a stack trace,
        // including the 4xx ApiProblems that are answers, not faults; UseCanopyProblems logs the real 500s itself.
        services.Configure<LoggerFilterOptions>(o =>
            o.AddFilter("Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", LogLevel.None));
        return services;
    }

    /// <summary>Maps <see cref="ApiProblem"/>, malformed JSON and unexpected exceptions to problem+json; empty error statuses get a body too.</summary>
    public static IApplicationBuilder UseCanopyProblems(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(errorApp => errorApp.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var (status, title, detail, errors) = error switch
            {
                ApiProblem p => (p.Status, p.Title, p.Message, p.Errors),
                BadHttpRequestException { InnerException: JsonException j } => (400, "Malformed JSON", $"The request body is not valid JSON: {j.Message}", (IReadOnlyList<string>)[]),
                JsonException j => (400, "Malformed JSON", $"The request body is not valid JSON: {j.Message}", []),
                BadHttpRequestException b => (b.StatusCode, "Bad request", b.Message, []),
                ConflictingWriteException c => (409, "Conflict", c.Message, []),
                StoreUnavailableException u => (503, "Database unavailable", u.Message, []),
                StoreConcurrencyException c => (503, "Database busy", c.Message, []),
                _ => (500, "Internal error", "The server failed to handle the request; see its log.", []),
            };
            if (status >= 500)
            {
                var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Canopy.Api");
                if (error is ApiProblem or StoreUnavailableException or StoreConcurrencyException)
                {
                    // An answer the code chose (a 503 "come back soon" included), not a failure to log with its trace.
                    logger.LogWarning("{Method} {Path} answered {Status}: {Detail}", context.Request.Method, context.Request.Path, status, detail);
                }
                else
                {
                    logger.LogError(error, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
                }
            }

            if (error is StoreUnavailableException or StoreConcurrencyException)
            {
                context.Response.Headers.RetryAfter = "2";
            }

            await WriteAsync(context, status, title, detail, errors);
        }));
        app.UseStatusCodePages(async ctx =>
        {
            var response = ctx.HttpContext.Response;
            if (response.ContentLength is null && string.IsNullOrEmpty(response.ContentType))
            {
                var detail = response.StatusCode switch
                {
                    401 => "Missing, invalid or expired token. Log in (POST /api/auth/login or `canopy login`) and send it as 'Authorization: Bearer <token>'.",
                    403 => "Your roles do not allow this.",
                    404 => $"Nothing at {ctx.HttpContext.Request.Path}.",
                    405 => $"{ctx.HttpContext.Request.Method} is not allowed on {ctx.HttpContext.Request.Path}.",
                    _ => ReasonPhrase(response.StatusCode),
                };
                await WriteAsync(ctx.HttpContext, response.StatusCode, ReasonPhrase(response.StatusCode), detail, []);
            }
        });
        return app;
    }

    public static Task WriteAsync(HttpContext context, int status, string title, string detail, IReadOnlyList<string> errors)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        var body = new Dictionary<string, object?>
        {
            ["type"] = $"https://httpstatuses.io/{status}",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
            ["instance"] = context.Request.Path.Value,
        };
        if (errors.Count > 0)
        {
            body["errors"] = errors;
        }

        return context.Response.WriteAsync(JsonSerializer.Serialize(body, CanopyJson.Options));
    }

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } p ? p : "Error";
}
