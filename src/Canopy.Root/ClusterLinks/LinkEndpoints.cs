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
            .WithSummary("A cluster joins with a join token (static or created by an Admin); answers its id (stable per name) and a new link credential.")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status409Conflict);
        app.Map("/api/v1/clusters/{id}/link", LinkAsync).AllowAnonymous().ExcludeFromDescription();
    }

    private static async Task<IResult> RegisterAsync(
        HttpContext context, IRootStore store, LinkHub hub, RootOptions options, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        // Read leniently: a missing join token is a 401 like a wrong one, not a malformed body.
        var request = await JsonBody.ReadAsync<RegistrationBody>(context.Request, ct);
        var log = loggers.CreateLogger("Canopy.Root.ClusterLinks");
        try
        {
            await ClusterJoinTokens.EnsureValidAsync(request.JoinToken, options, store, time.GetUtcNow(), ct);
        }
        catch (ApiProblem e)
        {
            Refused(log, request.ClusterName ?? "(no name)", e.Message);
            throw;
        }

        if (!ClusterName().IsMatch(request.ClusterName ?? ""))
        {
            throw ApiProblem.BadRequest(
                "cluster_name: 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit",
                [$"cluster_name: '{request.ClusterName}' is not a valid cluster name"]);
        }

        // A connected cluster keeps its name; the same cluster (proving it with its last credential) may register again.
        var named = (await store.ListClustersAsync(ct)).FirstOrDefault(c => c.Name == request.ClusterName);
        if (named is not null && hub.IsConnected(named.Id) &&
            !(request.Credential is { Length: > 0 } previous && ClusterCredentials.Matches(previous, named.CredentialHash)))
        {
            Refused(log, named.Name, "the name is in use by a connected cluster");
            throw ApiProblem.Conflict($"cluster name {named.Name} is in use by a connected cluster");
        }

        var credential = ClusterCredentials.NewCredential();
        var cluster = await store.UpsertClusterAsync(
            request.ClusterName!, request.ClusterLocation, request.ManagerUrl, ClusterCredentials.Hash(credential),
            () => ObjectIds.New(time), time.GetUtcNow(), ct);
        Registered(log, cluster.Name, cluster.Id);
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

    private sealed record RegistrationBody(string? ClusterName, string? JoinToken, string? ClusterLocation, string? ManagerUrl, string? Credential);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex ClusterName();

    [LoggerMessage(EventId = 1431, Level = LogLevel.Information, Message = "Cluster {Cluster} registered with id {ClusterId}")]
    private static partial void Registered(ILogger log, string cluster, string clusterId);

    [LoggerMessage(EventId = 1432, Level = LogLevel.Warning, Message = "Refused registration of cluster {Cluster}: {Why}")]
    private static partial void Refused(ILogger log, string cluster, string why);
}
