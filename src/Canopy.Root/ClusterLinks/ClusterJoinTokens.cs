using System.Security.Cryptography;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Hosting;
using Canopy.Root.Store;
using Canopy.Security;

namespace Canopy.Root.ClusterLinks;

/// <summary>
/// Cluster join tokens: the static one from <see cref="RootOptions.ClusterJoinToken"/> and those an Admin created
/// (<c>/api/v1/tokens/clusters</c>), of which the root keeps only the SHA-256. A token admits new clusters; a registered
/// cluster registers again with its own secret.
/// </summary>
internal static class ClusterJoinTokens
{
    /// <summary>A new random secret: <c>cjt_</c> + 256 random bits, base64url.</summary>
    public static string NewSecret() => Secrets.New("cjt_");

    public static string NewId() => RandomNumberGenerator.GetHexString(12, lowercase: true);

    /// <summary>
    /// The created token <paramref name="given"/> is (null for the static one) when it may register a cluster; otherwise a 401 that
    /// says why. The use itself is counted when the cluster is added (<see cref="IRootStore.AddClusterAsync"/>).
    /// </summary>
    /// <remarks>The CA pin a token carries after its secret (<see cref="JoinToken"/>) is for the cluster; only the secret is checked here.</remarks>
    public static async Task<JoinTokenRecord?> AdmitAsync(string? token, RootOptions options, IRootStore store, DateTimeOffset now, CancellationToken ct)
    {
        var given = string.IsNullOrWhiteSpace(token) ? null : JoinToken.Parse(token).Secret;
        var configured = JoinToken.Parse(options.ClusterJoinToken).Secret;
        if (!string.IsNullOrEmpty(given) && configured.Length > 0 && Secrets.Same(given, configured))
        {
            return null;
        }

        var record = string.IsNullOrEmpty(given) ? null : await store.FindJoinTokenAsync(JoinTokenKinds.Cluster, Secrets.Hash(given), ct);
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

        return record.UsedUp ? throw UsedUp(record) : record;
    }

    public static ApiProblem UsedUp(JoinTokenRecord token) =>
        ApiProblem.Unauthorized($"invalid cluster join token: token {token.Id} was used up (all {token.MaxUses} of its uses)");

    public static bool IsUsable(JoinTokenRecord token, DateTimeOffset now) => !token.Revoked && !token.UsedUp && (token.ExpiresAt is not { } e || e > now);

    public static JoinTokenDocument Document(JoinTokenRecord token) =>
        new(token.Id, token.Kind, token.Description, token.CreatedAt, token.CreatedBy, token.ExpiresAt, token.Revoked, token.MaxUses, token.Uses);
}
