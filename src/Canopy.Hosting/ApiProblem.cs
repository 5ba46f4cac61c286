using Microsoft.AspNetCore.Http;

namespace Canopy.Hosting;

/// <summary>
/// An error a caller caused, thrown anywhere below an endpoint and answered as <c>application/problem+json</c>
/// with its status and message (never a stack trace). <see cref="Errors"/> lists every problem with its field path.
/// </summary>
public sealed class ApiProblem(int status, string title, string detail, IReadOnlyList<string>? errors = null) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public IReadOnlyList<string> Errors { get; } = errors ?? [];

    public static ApiProblem BadRequest(string detail, IReadOnlyList<string>? errors = null) =>
        new(StatusCodes.Status400BadRequest, "Bad request", detail, errors);

    public static ApiProblem NotFound(string detail) => new(StatusCodes.Status404NotFound, "Not found", detail);

    public static ApiProblem Conflict(string detail) => new(StatusCodes.Status409Conflict, "Conflict", detail);

    public static ApiProblem Forbidden(string detail) => new(StatusCodes.Status403Forbidden, "Forbidden", detail);

    public static ApiProblem Unauthorized(string detail) => new(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    public static ApiProblem Unavailable(string detail) => new(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail);
}
