using System.Text.RegularExpressions;
using Canopy.Contracts.Registration;
using Canopy.Hosting;
using Canopy.Root.Api;
using Canopy.Root.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.ClusterLinks;

/// <summary>Cluster registration (join token) and the link WebSocket (cluster credential); neither uses user tokens.</summary>
internal static partial class LinkEndpoints
{
    public static void MapClusterLinks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/clusters/register", RegisterAsync).AllowAnonymous().WithTags("cluster link")
            .Accepts<ClusterRegisterRequest>("application/json").Produces<ClusterRegisterResponse>()
            .WithSummary("A cluster joins with the join token; answers its id (stable per name) and a new link credential.");
        app.Map("/api/v1/clusters/{id}/link", LinkAsync).AllowAnonymous().ExcludeFromDescription();
    }

    private static async Task<IResult> RegisterAsync(
        HttpContext context, IRootStore store, RootOptions options, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        // Read leniently: a missing join token is a 401 like a wrong one, not a malformed body.
        var request = await JsonBody.ReadAsync<RegistrationBody>(context.Request, ct);
        if (options.ClusterJoinToken.Length == 0)
        {
            throw ApiProblem.Unauthorized(
                "This root accepts no clusters: it has no cluster join token configured. Set one (ClusterJoinToken / CANOPY_CLUSTER_JOIN_TOKEN) and restart it.");
        }

        if (!ClusterCredentials.SameSecret(request.JoinToken ?? "", options.ClusterJoinToken))
        {
            throw ApiProblem.Unauthorized("invalid cluster join token");
        }

        if (!ClusterName().IsMatch(request.ClusterName ?? ""))
        {
            throw ApiProblem.BadRequest(
                "cluster_name: 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit",
                [$"cluster_name: '{request.ClusterName}' is not a valid cluster name"]);
        }

        var credential = ClusterCredentials.NewCredential();
        var cluster = await store.UpsertClusterAsync(
            request.ClusterName!, request.ClusterLocation, request.ManagerUrl, ClusterCredentials.Hash(credential),
            () => ObjectIds.New(time), time.GetUtcNow(), ct);
        Registered(loggers.CreateLogger("Canopy.Root.ClusterLinks"), cluster.Name, cluster.Id);
        return Results.Ok(new ClusterRegisterResponse(cluster.Id, credential));
    }

    private static async Task LinkAsync(HttpContext context, string id, IRootStore store, LinkSession session)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var credential = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
        var cluster = await store.GetClusterAsync(id, context.RequestAborted);
        if (cluster is null || credential.Length == 0 || !ClusterCredentials.Matches(credential, cluster.CredentialHash))
        {
            await ProblemJson.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                "Unknown cluster or invalid link credential: register again (POST /api/v1/clusters/register) and send 'Authorization: Bearer <credential>'.", []);
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ProblemJson.WriteAsync(context, StatusCodes.Status400BadRequest, "Bad request", "This endpoint expects a WebSocket upgrade.", []);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await session.RunAsync(cluster, socket, context.RequestAborted);
    }

    private sealed record RegistrationBody(string? ClusterName, string? JoinToken, string? ClusterLocation, string? ManagerUrl);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex ClusterName();

    [LoggerMessage(EventId = 1431, Level = LogLevel.Information, Message = "Cluster {Cluster} registered with id {ClusterId}")]
    private static partial void Registered(ILogger log, string cluster, string clusterId);
}
