using System.Security.Cryptography;
using Canopy.Contracts.Api;
using Canopy.Hosting;
using Canopy.Root.Store;

namespace Canopy.Root.ClusterLinks;

/// <summary>
/// Cluster join tokens: the static one from <see cref="RootOptions.ClusterJoinToken"/> and those an Admin created
/// (<c>/api/v1/tokens/clusters</c>), of which the root keeps only the SHA-256.
/// </summary>
internal static class ClusterJoinTokens
{
    /// <summary>A new random secret: <c>cjt_</c> + 256 random bits, base64url.</summary>
    public static string NewSecret() => "cjt_" + ClusterCredentials.NewCredential();

    public static string NewId() => RandomNumberGenerator.GetHexString(12, lowercase: true);

    /// <summary>Returns when <paramref name="given"/> may register a cluster; otherwise a 401 that says why.</summary>
    public static async Task EnsureValidAsync(string? given, RootOptions options, IRootStore store, DateTimeOffset now, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(given) && options.ClusterJoinToken.Length > 0 && ClusterCredentials.SameSecret(given, options.ClusterJoinToken))
        {
            return;
        }

        var record = string.IsNullOrEmpty(given) ? null : await store.FindJoinTokenAsync(JoinTokenKinds.Cluster, ClusterCredentials.Hash(given), ct);
        if (record is null)
        {
            var none = options.ClusterJoinToken.Length == 0 &&
                       (await store.ListJoinTokensAsync(JoinTokenKinds.Cluster, ct)).All(t => !IsUsable(t, now));
            const string NoneHint = "this root accepts no clusters: it has no cluster join token configured and no valid created one. " +
                                    "Create one (canopy token create cluster) or set ClusterJoinToken / CANOPY_CLUSTER_JOIN_TOKEN and restart it.";
            throw ApiProblem.Unauthorized(string.IsNullOrEmpty(given)
                ? "invalid cluster join token: none was given" + (none ? "; " + NoneHint : "")
                : "invalid cluster join token: the token is unknown" + (none ? "; " + NoneHint : ""));
        }

        if (record.Revoked)
        {
            throw ApiProblem.Unauthorized($"invalid cluster join token: token {record.Id} was revoked");
        }

        if (record.ExpiresAt is { } expires && expires <= now)
        {
            throw ApiProblem.Unauthorized($"invalid cluster join token: token {record.Id} expired at {expires:u}");
        }
    }

    public static bool IsUsable(JoinTokenRecord token, DateTimeOffset now) => !token.Revoked && (token.ExpiresAt is not { } e || e > now);

    public static JoinTokenDocument Document(JoinTokenRecord token) =>
        new(token.Id, token.Kind, token.Description, token.CreatedAt, token.CreatedBy, token.ExpiresAt, token.Revoked);
}
