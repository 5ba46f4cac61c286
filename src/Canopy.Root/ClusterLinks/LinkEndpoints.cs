using System.Text.RegularExpressions;
using Canopy.Contracts;
using Canopy.Contracts.Registration;
using Canopy.Hosting;
using Canopy.Root.Api;
using Canopy.Root.Auth;
using Canopy.Root.Replicas;
using Canopy.Root.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.ClusterLinks;

/// <summary>Cluster registration (join token or the cluster's secret) and the link WebSocket (link credential); neither uses user tokens.</summary>
internal static partial class LinkEndpoints
{
    public static void MapClusterLinks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/clusters/register", RegisterAsync).AllowAnonymous().WithTags("cluster link")
            .Accepts<ClusterRegisterRequest>("application/json").Produces<ClusterRegisterResponse>()
            .WithSummary("A new cluster joins with a join token (static or created by an Admin), a registered one with its own secret; " +
                         "answers its id (stable per name), a new link credential, the root's public key for user tokens and the cluster's node subnet blocks.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status409Conflict);
        app.Map("/api/v1/clusters/{id}/link", LinkAsync).AllowAnonymous().ExcludeFromDescription().DisableRateLimiting().DisableRequestTimeout();
    }

    private static async Task<IResult> RegisterAsync(
        HttpContext context, IRootStore store, RootOptions options, RootLeadership leadership, UserTokenSigningKey userTokens,
        ClusterSubnetBlocks blocks, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        // Read leniently: a missing join token is a 401 like a wrong one, not a malformed body.
        var request = await JsonBody.ReadAsync<RegistrationBody>(context.Request, ct);
        var log = loggers.CreateLogger("Canopy.Root.ClusterLinks");
        var name = request.ClusterName ?? "";
        var existing = ClusterName().IsMatch(name) ? await store.FindClusterByNameAsync(name, ct) : null;

        // A registered cluster proves itself with its own secret; it needs no join token (one that expired, was revoked or used up
        // since does not lock it out).
        if (existing is not null && Secrets.Matches(request.Secret, existing.SecretHash))
        {
            return await RenewAsync(existing, request, store, options, leadership, userTokens, blocks, time, log, ct);
        }

        JoinTokenRecord? token;
        try
        {
            token = await ClusterJoinTokens.AdmitAsync(request.JoinToken, options, store, time.GetUtcNow(), ct);
        }
        catch (ApiProblem e)
        {
            Refused(log, request.ClusterName ?? "(no name)", e.Message);
            throw;
        }

        if (!ClusterName().IsMatch(name))
        {
            throw ApiProblem.BadRequest(
                "cluster_name: 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit",
                [$"cluster_name: '{request.ClusterName}' is not a valid cluster name"]);
        }

        if (existing is { SecretHash: not null })
        {
            throw NameTaken(existing, log);
        }

        if (request.Secret is not { Length: >= Secrets.MinLength and <= 256 })
        {
            throw ApiProblem.BadRequest(
                $"secret: a cluster registers with a secret of its own ({Secrets.MinLength} to 256 characters) that later proves it is " +
                "this cluster; a cluster that sends none runs an older Canopy: upgrade it",
                ["secret: missing or too short"]);
        }

        if (existing is not null)
        {
            // Registered before cluster secrets existed: the link credential it stored proves it, once, and binds its secret.
            return Secrets.Matches(request.Credential, existing.CredentialHash)
                ? await RenewAsync(existing, request, store, options, leadership, userTokens, blocks, time, log, ct)
                : throw NameTaken(existing, log);
        }

        var credential = Secrets.New();
        var cluster = new ClusterRecord
        {
            Id = ObjectIds.New(time),
            Name = name,
            Location = request.ClusterLocation,
            ManagerUrl = request.ManagerUrl,
            CredentialHash = Secrets.Hash(credential),
            SecretHash = Secrets.Hash(request.Secret),
            RegisteredAt = time.GetUtcNow(),
        };
        ClusterRecord? added;
        try
        {
            added = await store.AddClusterAsync(cluster, token?.Id, ct);
        }
        catch (StoreConflictException)
        {
            throw ApiProblem.Conflict($"cluster name {name} was registered by another cluster meanwhile; a new cluster needs a name of its own (--name)");
        }

        if (added is null)
        {
            throw ClusterJoinTokens.UsedUp(token!);
        }

        Registered(log, added.Name, added.Id);
        return Results.Ok(new ClusterRegisterResponse(
            added.Id, credential, userTokens.PublicKey, time.GetUtcNow(), await blocks.EnsureAsync(added, ct), await ReplicasAsync(options, leadership, ct)));
    }

    private static ApiProblem NameTaken(ClusterRecord existing, ILogger log)
    {
        var why = $"cluster name {existing.Name} is registered by another cluster, and this registration does not prove it is that cluster " +
                  "(its secret is missing or wrong). A registered cluster proves it by itself with the secret kept in its data dir; " +
                  "a new cluster needs a name of its own (--name)";
        Refused(log, existing.Name, why);
        return ApiProblem.Conflict(why);
    }

    /// <summary>A registered cluster again: the same id, a new link credential; the old link stays until the new one replaces it.</summary>
    private static async Task<IResult> RenewAsync(
        ClusterRecord existing, RegistrationBody request, IRootStore store, RootOptions options, RootLeadership leadership,
        UserTokenSigningKey userTokens, ClusterSubnetBlocks blocks, TimeProvider time, ILogger log, CancellationToken ct)
    {
        var credential = Secrets.New();
        var renewed = await store.RenewClusterAsync(
            existing.Id, request.ClusterLocation, request.ManagerUrl, Secrets.Hash(credential), Secrets.Hash(request.Secret!), ct);
        if (renewed is null)
        {
            throw ApiProblem.Conflict($"cluster {existing.Name} changed while it registered again; register again");
        }

        if (existing.SecretHash is null)
        {
            SecretBound(log, existing.Name, existing.Id);
        }

        Registered(log, renewed.Name, renewed.Id);
        return Results.Ok(new ClusterRegisterResponse(
            renewed.Id, credential, userTokens.PublicKey, time.GetUtcNow(), await blocks.EnsureAsync(renewed, ct), await ReplicasAsync(options, leadership, ct)));
    }

    /// <summary>
    /// The replicas a cluster may fail over to: those configured (<see cref="RootOptions.ReplicaUrls"/>) and those alive in the
    /// database, by the addresses they registered (a wildcard listen address is no address to dial). Null for a root of one process.
    /// </summary>
    private static async Task<IReadOnlyList<string>?> ReplicasAsync(RootOptions options, RootLeadership leadership, CancellationToken ct)
    {
        var alive = (await leadership.ReplicasAsync(ct)).Select(r => r.Url).Where(IsDialable);
        var urls = options.ReplicaUrls.Concat(alive).Select(u => u.TrimEnd('/')).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return urls.Count > 1 ? urls : null;
    }

    private static bool IsDialable(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) &&
        !(System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && (ip.Equals(System.Net.IPAddress.Any) || ip.Equals(System.Net.IPAddress.IPv6Any)));

    private static async Task LinkAsync(HttpContext context, string id, IRootStore store, LinkSession session, RootLeadership leadership)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var credential = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
        var cluster = await store.GetClusterAsync(id, context.RequestAborted);
        if (cluster is null || !Secrets.Matches(credential, cluster.CredentialHash))
        {
            await ProblemJson.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                "Unknown cluster or invalid link credential: register again (POST /api/v1/clusters/register) and send 'Authorization: Bearer <credential>'.", []);
            return;
        }

        // Only the leader holds links: it alone places and sends, and what clusters report must reach the one that acts on it.
        if (!leadership.IsLeader)
        {
            await FollowerAnswer.WriteAsync(context, leadership);
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

    private sealed record RegistrationBody(
        string? ClusterName, string? JoinToken, string? ClusterLocation, string? ManagerUrl, string? Secret, string? Credential);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex ClusterName();

    [LoggerMessage(EventId = 1431, Level = LogLevel.Information, Message = "Cluster {Cluster} registered with id {ClusterId}")]
    private static partial void Registered(ILogger log, string cluster, string clusterId);

    [LoggerMessage(EventId = 1432, Level = LogLevel.Warning, Message = "Refused registration of cluster {Cluster}: {Why}")]
    private static partial void Refused(ILogger log, string cluster, string why);

    [LoggerMessage(EventId = 1433, Level = LogLevel.Information,
        Message = "Cluster {Cluster} ({ClusterId}), registered before cluster secrets, proved itself with its link credential; its secret is bound to it now")]
    private static partial void SecretBound(ILogger log, string cluster, string clusterId);
}
