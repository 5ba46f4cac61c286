using System.Security.Cryptography;
using System.Text;
using Canopy.Cluster.Storage;
using Canopy.Contracts.Api;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Nodes;

/// <summary>
/// Node join tokens: the static <see cref="ClusterOptions.NodeJoinToken"/> and those created through the root (kept here as
/// SHA-256 hashes). Revoking refuses later registrations with the token; nodes already registered stay.
/// </summary>
internal sealed partial class NodeJoinTokens(IClusterStore store, ClusterOptions options, TimeProvider time, ILogger<NodeJoinTokens> logger)
{
    public async Task<CreatedJoinTokenDocument> CreateAsync(string? description, long? ttlSeconds, string? createdBy, CancellationToken ct)
    {
        if (ttlSeconds is <= 0)
        {
            throw new ArgumentException($"ttl_seconds: {ttlSeconds} must be positive");
        }

        var now = time.GetUtcNow();
        var secret = "njt_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var token = new NodeTokenRecord
        {
            Id = RandomNumberGenerator.GetHexString(12, lowercase: true),
            SecretHash = Hash(secret),
            Description = description,
            CreatedAt = now,
            CreatedBy = createdBy,
            ExpiresAt = ttlSeconds is { } ttl ? now.AddSeconds(ttl) : null,
        };
        await store.AddNodeTokenAsync(token, ct);
        Log.Created(logger, token.Id, createdBy ?? "-");
        return new CreatedJoinTokenDocument(token.Id, secret, JoinTokenKinds.Node, description, token.CreatedAt, token.ExpiresAt);
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

    /// <summary>Null when <paramref name="given"/> may register a node; otherwise why not, for the 401.</summary>
    public async Task<string?> RefusalAsync(string? given, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(given) && options.NodeJoinToken.Length > 0 &&
            CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(options.NodeJoinToken)))
        {
            return null;
        }

        var now = time.GetUtcNow();
        var token = string.IsNullOrEmpty(given) ? null : await store.FindNodeTokenAsync(Hash(given), ct);
        if (token is null)
        {
            var none = options.NodeJoinToken.Length == 0 && (await store.ListNodeTokensAsync(ct)).All(t => t.Revoked || t.ExpiresAt <= now);
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

        return token.ExpiresAt is { } expires && expires <= now ? $"invalid node join token: token {token.Id} expired at {expires:u}" : null;
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static JoinTokenDocument Document(NodeTokenRecord t) =>
        new(t.Id, JoinTokenKinds.Node, t.Description, t.CreatedAt, t.CreatedBy, t.ExpiresAt, t.Revoked);

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.NodeTokenCreated, Level = LogLevel.Information, Message = "Node join token {TokenId} created by {User}")]
        public static partial void Created(ILogger logger, string tokenId, string user);

        [LoggerMessage(EventId = EventIds.NodeTokenRevoked, Level = LogLevel.Information, Message = "Node join token {TokenId} revoked")]
        public static partial void Revoked(ILogger logger, string tokenId);
    }
}
