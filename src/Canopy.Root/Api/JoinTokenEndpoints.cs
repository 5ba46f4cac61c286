using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Hosting;
using Canopy.Root.Auth;
using Canopy.Root.ClusterLinks;
using Canopy.Root.Replicas;
using Canopy.Root.Store;
using Canopy.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Api;

/// <summary>
/// Join tokens (Admin and Infrastructure_Provider roles: clusters and nodes are shared by every organization). Cluster tokens live at the root; node tokens live at their cluster and are created, listed and
/// revoked through its link. The secret is in the creation answer only, followed by the root's CA pin (<see cref="JoinToken"/>) so
/// that the cluster can verify the root before it sends anything. Revoking refuses later registrations with the token;
/// clusters and nodes already registered with it stay.
/// </summary>
internal static partial class JoinTokenEndpoints
{
    private const long MaxTtlSeconds = 10L * 365 * 24 * 3600;
    private const int MaxUsesLimit = 1_000_000;

    public static void MapJoinTokens(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1").WithTags("join tokens").RequireAuthorization(Policies.Infrastructure);
        v1.MapPost("/tokens/clusters", CreateClusterTokenAsync).Accepts<CreateJoinTokenRequest>("application/json")
            .Produces<CreatedJoinTokenDocument>().WithSummary("A new cluster join token; its secret is shown only in this answer.");
        v1.MapGet("/tokens/clusters", async (IRootStore store, CancellationToken ct) =>
                Results.Ok((await store.ListJoinTokensAsync(JoinTokenKinds.Cluster, ct)).Select(ClusterJoinTokens.Document).ToList()))
            .Produces<List<JoinTokenDocument>>().WithSummary("Cluster join tokens, without their secrets.");
        v1.MapDelete("/tokens/clusters/{id}", RevokeClusterTokenAsync).Produces<JoinTokenDocument>()
            .WithSummary("Revokes a cluster join token: no cluster can register with it any more; registered clusters stay.");

        v1.MapPost("/clusters/{cluster}/tokens/nodes", CreateNodeTokenAsync).Accepts<CreateJoinTokenRequest>("application/json")
            .Produces<CreatedJoinTokenDocument>().WithSummary("A new node join token at a connected cluster; its secret is shown only in this answer.")
            .RequireLeader();
        v1.MapGet("/clusters/{cluster}/tokens/nodes", (string cluster, IRootStore store, LinkHub hub, CancellationToken ct) =>
                ForwardAsync<List<JoinTokenDocument>>(cluster, LinkRequestKinds.NodeTokensList, null, store, hub, ct))
            .Produces<List<JoinTokenDocument>>().WithSummary("Node join tokens of a connected cluster, without their secrets.").RequireLeader();
        v1.MapDelete("/clusters/{cluster}/tokens/nodes/{id}", (string cluster, string id, IRootStore store, LinkHub hub, CancellationToken ct) =>
                ForwardAsync<JoinTokenDocument>(cluster, LinkRequestKinds.NodeTokensRevoke, new JsonObject { ["id"] = id }, store, hub, ct))
            .Produces<JoinTokenDocument>().WithSummary("Revokes a node join token at a connected cluster; registered nodes stay.").RequireLeader();
    }

    private static async Task<IResult> CreateClusterTokenAsync(
        HttpContext context, ClaimsPrincipal user, IRootStore store, CertificateAuthority ca, TimeProvider time, ILoggerFactory loggers,
        CancellationToken ct)
    {
        var body = await ReadCreateAsync(context, ct);
        var now = time.GetUtcNow();
        var secret = ClusterJoinTokens.NewSecret();
        var token = new JoinTokenRecord
        {
            Id = ClusterJoinTokens.NewId(),
            Kind = JoinTokenKinds.Cluster,
            SecretHash = Secrets.Hash(secret),
            Description = body.Description,
            CreatedAt = now,
            CreatedBy = user.UserName(),
            ExpiresAt = body.TtlSeconds is { } ttl ? now.AddSeconds(ttl) : null,
            MaxUses = body.MaxUses,
        };
        await store.AddJoinTokenAsync(token, ct);
        Created(Logger(loggers), token.Id, token.CreatedBy, token.ExpiresAt, token.MaxUses);
        return Results.Ok(new CreatedJoinTokenDocument(
            token.Id, JoinToken.Format(secret, ca.Pin), token.Kind, token.Description, token.CreatedAt, token.ExpiresAt, token.MaxUses));
    }

    private static async Task<IResult> RevokeClusterTokenAsync(string id, IRootStore store, ILoggerFactory loggers, CancellationToken ct)
    {
        var token = await store.RevokeJoinTokenAsync(JoinTokenKinds.Cluster, id, ct) ?? throw ApiProblem.NotFound($"cluster join token '{id}' not found");
        Revoked(Logger(loggers), id);
        return Results.Ok(ClusterJoinTokens.Document(token));
    }

    private static async Task<IResult> CreateNodeTokenAsync(
        string cluster, HttpContext context, ClaimsPrincipal user, IRootStore store, LinkHub hub, CancellationToken ct)
    {
        var body = await ReadCreateAsync(context, ct);
        var args = new JsonObject
        {
            ["description"] = body.Description,
            ["ttl_seconds"] = body.TtlSeconds,
            ["max_uses"] = body.MaxUses,
            ["created_by"] = user.UserName(),
        };
        return await ForwardAsync<CreatedJoinTokenDocument>(cluster, LinkRequestKinds.NodeTokensCreate, args, store, hub, ct);
    }

    private static async Task<IResult> ForwardAsync<T>(string idOrName, string kind, JsonObject? args, IRootStore store, LinkHub hub, CancellationToken ct)
    {
        var target = (await store.ListClustersAsync(ct)).FirstOrDefault(c => c.Id == idOrName || c.Name == idOrName)
            ?? throw ApiProblem.NotFound($"cluster '{idOrName}' not found");
        if (!hub.IsConnected(target.Id))
        {
            throw ApiProblem.Unavailable($"cluster '{target.Name}' is not connected; node join tokens are kept at the cluster");
        }

        LinkResponse answer;
        try
        {
            answer = await hub.RequestAsync(target.Id, target.Name, kind, args, ct);
        }
        catch (ClusterUnavailableException e)
        {
            throw ApiProblem.Unavailable(e.Message);
        }

        if (!answer.Ok)
        {
            var error = answer.Error ?? $"cluster '{target.Name}' could not answer '{kind}'";
            throw error.Contains("not found", StringComparison.Ordinal) ? ApiProblem.NotFound(error) : ApiProblem.BadRequest(error);
        }

        var document = answer.Body is { } b ? b.Deserialize<T>(CanopyJson.Options) : default;
        return document is null
            ? throw new ApiProblem(StatusCodes.Status502BadGateway, "Bad gateway", $"cluster '{target.Name}' answered '{kind}' without a body")
            : Results.Ok(document);
    }

    private static async Task<CreateJoinTokenRequest> ReadCreateAsync(HttpContext context, CancellationToken ct)
    {
        var text = await JsonBody.ReadTextAsync(context.Request, ct);
        var body = string.IsNullOrWhiteSpace(text) ? new CreateJoinTokenRequest() : JsonBody.Parse<CreateJoinTokenRequest>(text);
        if (body.TtlSeconds is { } ttl && (ttl <= 0 || ttl > MaxTtlSeconds))
        {
            throw ApiProblem.BadRequest($"ttl_seconds: {ttl} is not between 1 and {MaxTtlSeconds} (10 years)", ["ttl_seconds: out of range"]);
        }

        if (body.MaxUses is { } uses && (uses <= 0 || uses > MaxUsesLimit))
        {
            throw ApiProblem.BadRequest($"max_uses: {uses} is not between 1 and {MaxUsesLimit}", ["max_uses: out of range"]);
        }

        if (body.Description is { Length: > 200 })
        {
            throw ApiProblem.BadRequest("description: at most 200 characters", ["description: too long"]);
        }

        return body;
    }

    private static ILogger Logger(ILoggerFactory loggers) => loggers.CreateLogger("Canopy.Root.JoinTokens");

    [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "Cluster join token {TokenId} created by {User} (expires {ExpiresAt}, uses {MaxUses})")]
    private static partial void Created(ILogger log, string tokenId, string? user, DateTimeOffset? expiresAt, int? maxUses);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Information, Message = "Cluster join token {TokenId} revoked")]
    private static partial void Revoked(ILogger log, string tokenId);
}
