using System.Security.Cryptography;
using Canopy.Cluster.Storage;
using Canopy.Cluster.Tls;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Security;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Nodes;

/// <summary>
/// Node join tokens: the static <see cref="ClusterOptions.NodeJoinToken"/> and those created through the root (kept here as
/// SHA-256 hashes). Revoking refuses later registrations with the token; nodes already registered stay.
/// </summary>
/// <remarks>
/// A token handed out is <c>&lt;secret&gt;.&lt;CA pin&gt;</c> (<see cref="JoinToken"/>): the node checks the cluster with the pin before it
/// sends the secret. Only the secret part is checked here, so a node may send the whole token or the secret alone.
/// </remarks>
internal sealed partial class NodeJoinTokens(
    IClusterStore store, ClusterTls tls, ClusterOptions options, TimeProvider time, ILogger<NodeJoinTokens> logger)
{
    public async Task<CreatedJoinTokenDocument> CreateAsync(string? description, long? ttlSeconds, long? maxUses, string? createdBy, CancellationToken ct)
    {
        if (ttlSeconds is <= 0)
        {
            throw new ArgumentException($"ttl_seconds: {ttlSeconds} must be positive");
        }

        if (maxUses is <= 0 or > int.MaxValue)
        {
            throw new ArgumentException($"max_uses: {maxUses} must be a positive number");
        }

        var now = time.GetUtcNow();
        var secret = Secrets.New("njt_");
        var token = new NodeTokenRecord
        {
            Id = RandomNumberGenerator.GetHexString(12, lowercase: true),
            SecretHash = Secrets.Hash(secret),
            Description = description,
            CreatedAt = now,
            CreatedBy = createdBy,
            ExpiresAt = ttlSeconds is { } ttl ? now.AddSeconds(ttl) : null,
            MaxUses = (int?)maxUses,
        };
        await store.AddNodeTokenAsync(token, ct);
        Log.Created(logger, token.Id, createdBy ?? "-");
        return new CreatedJoinTokenDocument(token.Id, JoinToken.Format(secret, tls.Pin), JoinTokenKinds.Node, description, token.CreatedAt, token.ExpiresAt, token.MaxUses);
    }

    public async Task<IReadOnlyList<JoinTokenDocument>> ListAsync(CancellationToken ct) =>
        (await store.ListNodeTokensAsync(ct)).Select(Document).ToList();

    /// <summary>Null when there is no such token.</summary>
    public async Task<JoinTokenDocument?> RevokeAsync(string id, CancellationToken ct)
    {
        var token = await store.RevokeNodeTokenAsync(id, ct);
        if (token is not null)
        {
            Log.Revoked(logger, id);
        }

        return token is null ? null : Document(token);
    }

    /// <summary>
    /// Whether <paramref name="given"/> may register a new node: <see cref="NodeTokenCheck.Refusal"/> says why not (for the 401), and
    /// <see cref="NodeTokenCheck.TokenId"/> names the created token whose use the registration counts (null for the static token).
    /// </summary>
    public async Task<NodeTokenCheck> CheckAsync(string? sent, CancellationToken ct)
    {
        var given = string.IsNullOrWhiteSpace(sent) ? sent : JoinToken.Parse(sent).Secret;
        var configured = options.NodeJoinToken.Length > 0 ? JoinToken.Parse(options.NodeJoinToken).Secret : "";
        if (!string.IsNullOrEmpty(given) && configured.Length > 0 && Secrets.Same(given, configured))
        {
            return new NodeTokenCheck(null, null);
        }

        var now = time.GetUtcNow();
        var token = string.IsNullOrEmpty(given) ? null : await store.FindNodeTokenAsync(Secrets.Hash(given), ct);
        return new NodeTokenCheck(token?.Id, await RefusalAsync(given, token, now, ct));
    }

    public static string UsedUp(string tokenId, int? maxUses) =>
        $"invalid node join token: token {tokenId} was used up" + (maxUses is { } max ? $" (all {max} of its uses)" : "");

    private async Task<string?> RefusalAsync(string? given, NodeTokenRecord? token, DateTimeOffset now, CancellationToken ct)
    {
        if (token is null)
        {
            var none = options.NodeJoinToken.Length == 0 &&
                       (await store.ListNodeTokensAsync(ct)).All(t => t.Revoked || t.UsedUp || t.ExpiresAt <= now);
            const string NoneHint = "this cluster accepts no nodes: it has no node join token configured (start it with --node-join-token, " +
                                    "or create one with `canopy token create node --cluster NAME`)";
            return string.IsNullOrEmpty(given)
                ? none ? NoneHint : "invalid node join token: none was given"
                : "invalid node join token: the token is unknown" + (none ? "; " + NoneHint : "");
        }

        if (token.Revoked)
        {
            return $"invalid node join token: token {token.Id} was revoked";
        }

        if (token.ExpiresAt is { } expires && expires <= now)
        {
            return $"invalid node join token: token {token.Id} expired at {expires:u}";
        }

        return token.UsedUp ? UsedUp(token.Id, token.MaxUses) : null;
    }

    private static JoinTokenDocument Document(NodeTokenRecord t) =>
        new(t.Id, JoinTokenKinds.Node, t.Description, t.CreatedAt, t.CreatedBy, t.ExpiresAt, t.Revoked, t.MaxUses, t.Uses);

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.NodeTokenCreated, Level = LogLevel.Information, Message = "Node join token {TokenId} created by {User}")]
        public static partial void Created(ILogger logger, string tokenId, string user);

        [LoggerMessage(EventId = EventIds.NodeTokenRevoked, Level = LogLevel.Information, Message = "Node join token {TokenId} revoked")]
        public static partial void Revoked(ILogger logger, string tokenId);
    }
}

/// <summary>The outcome of checking a node join token: the created token to count a use of, or why it may not register a node.</summary>
internal readonly record struct NodeTokenCheck(string? TokenId, string? Refusal);
