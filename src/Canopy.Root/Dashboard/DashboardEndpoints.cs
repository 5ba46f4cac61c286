using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Root.Dashboard;

/// <summary>
/// The web dashboard at <c>/</c> (its files under <c>/ui/</c>): static files only, anonymous to fetch; everything it shows
/// comes from the public API with the user's bearer token. Unknown paths under <c>/ui/</c> and <c>/api/</c> stay
/// problem+json 404s.
/// </summary>
internal static class DashboardEndpoints
{
    /// <summary>
    /// Only the root's own scripts, styles and API: no inline script or style, no eval, no other origin, no framing. The
    /// map is SVG built with DOM calls, so it needs nothing more.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static void MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext context, DashboardFiles files) => Serve(context, files, "index.html"))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/ui/{**path}", (string path, HttpContext context, DashboardFiles files) => Serve(context, files, path))
            .AllowAnonymous().ExcludeFromDescription();
    }

    public static IServiceCollection AddDashboard(this IServiceCollection services) =>
        services.AddSingleton(_ => DashboardFiles.Load(typeof(DashboardEndpoints).Assembly));

    private static IResult Serve(HttpContext context, DashboardFiles files, string path)
    {
        if (files.Find(path) is not { } file)
        {
            // Empty: the status-code page writes the problem+json 404 every other unknown path gets.
            return Results.StatusCode(StatusCodes.Status404NotFound);
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";

        // Revalidated on every load, so a new root's files are picked up at once; unchanged ones cost a 304.
        headers.CacheControl = "no-cache";
        headers.ETag = file.ETag;
        if (context.Request.Headers.IfNoneMatch.Contains(file.ETag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(file.Content, file.ContentType);
    }
}
