using System.Net;
using System.Net.Http.Json;
using Canopy.Cluster.Auth;
using Canopy.Cluster.Instances;
using Canopy.Cluster.Net;
using Canopy.Cluster.Storage;
using Canopy.Contracts;
using Canopy.Contracts.Registration;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.RootLink;

/// <summary>
/// Registers the cluster at the root (<c>POST /api/v1/clusters/register</c>) until it succeeds: with back-off while the root is
/// unreachable, slowly (and loudly) while it refuses the join token. Keeps the id and credential in the store.
/// </summary>
internal sealed partial class RootRegistration(
    IClusterStore store, RootUserTokens userTokens, ClusterGate gate, NodeSubnets subnets, ClusterOptions options, RootTrust trust,
    RootAddresses addresses, TimeProvider time, ILogger<RootRegistration> logger)
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RefusedDelay = TimeSpan.FromSeconds(15);

    public async Task<ClusterRegisterResponse> RegisterAsync(HttpClient http, CancellationToken ct)
    {
        addresses.Learn(await KeptReplicasAsync(ct));
        var request = new ClusterRegisterRequest
        {
            ClusterName = options.Name,
            JoinToken = trust.Secret,
            ClusterLocation = options.Location,
            ManagerUrl = options.Listen,
            Secret = await SecretAsync(ct),
            Credential = await store.GetSettingAsync(SettingKeys.RootCredential, ct),
        };
        var pace = new FailoverPace(addresses, options.RootFailoverDelay, TimeSpan.FromMilliseconds(500), MaxDelay);
        for (var attempt = 1; ; attempt++)
        {
            var url = new Uri(new Uri(addresses.Current + "/"), "api/v1/clusters/register");
            string? leader = null;
            Log.Registering(logger, options.Name, url, attempt);
            try
            {
                var sent = time.GetUtcNow();
                using var response = await http.PostAsJsonAsync(url, request, CanopyJson.Options, ct);
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    var body = await response.Content.ReadAsStringAsync(ct);
                    Log.TokenRefused(logger, url, (int)response.StatusCode, body, RefusedDelay.TotalSeconds);
                    await Task.Delay(RefusedDelay, ct);
                    continue;
                }

                if (response.StatusCode is HttpStatusCode.Conflict)
                {
                    var body = await response.Content.ReadAsStringAsync(ct);
                    Log.NameRefused(logger, url, options.Name, body, RefusedDelay.TotalSeconds);
                    await Task.Delay(RefusedDelay, ct);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadAsStringAsync(ct);
                    leader = LeaderHint.FromResponse(response, body);
                    Log.Failed(logger, url, (int)response.StatusCode, body, leader ?? "another address");
                }
                else
                {
                    var registered = await response.Content.ReadFromJsonAsync<ClusterRegisterResponse>(CanopyJson.Options, ct)
                        ?? throw new HttpRequestException("the root answered the registration without a body");
                    await store.SetSettingAsync(SettingKeys.ClusterId, registered.Id, ct);
                    await store.SetSettingAsync(SettingKeys.RootCredential, registered.Credential, ct);
                    if (registered.UserTokenKey is { } key)
                    {
                        // The root's clock, as of the middle of the round trip: its tokens' lifetimes are checked by it.
                        var local = sent + ((time.GetUtcNow() - sent) / 2);
                        await userTokens.SetAsync(key, registered.RootTime is { } rootTime ? rootTime - local : TimeSpan.Zero, ct);
                    }

                    if (registered.NodeSubnetBlocks is { } blocks)
                    {
                        await gate.RunAsync(() => subnets.SetBlocksAsync(blocks, ct), ct);
                    }

                    // From here on a cluster without blocks has a root of an older build: it allocates as before (NodeSubnets).
                    subnets.RootAnswered();
                    await KeepReplicasAsync(registered.RootUrls, ct);

                    Log.Registered(logger, options.Name, registered.Id);
                    return registered;
                }
            }
            catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException ||
                                      (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                if (trust.Refusal(e) is { } refusal)
                {
                    // Nothing was sent: the handshake failed before the request. Retried slowly, as a refused token is.
                    Log.NotTrusted(logger, url, refusal, RefusedDelay.TotalSeconds);
                    await Task.Delay(RefusedDelay, ct);
                    continue;
                }

                Log.Unreachable(logger, url, e.Message);
            }

            await Task.Delay(pace.Failed(leader), time, ct);
        }
    }

    private async Task<IReadOnlyList<string>> KeptReplicasAsync(CancellationToken ct) =>
        await store.GetSettingAsync(SettingKeys.RootReplicaUrls, ct) is { Length: > 0 } kept
            ? kept.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            : [];

    /// <summary>Learns the replicas the root named and keeps them, so that a restarted cluster fails over before it registers again.</summary>
    private async Task KeepReplicasAsync(IReadOnlyList<string>? replicas, CancellationToken ct)
    {
        if (replicas is not { Count: > 0 })
        {
            return;
        }

        addresses.Learn(replicas);
        await store.SetSettingAsync(SettingKeys.RootReplicaUrls, string.Join('\n', replicas), ct);
    }

    /// <summary>
    /// The cluster's own secret, made once and kept in its store (mode 0600) before it is first sent: the root binds it to the
    /// cluster's name, and only this secret registers that name again.
    /// </summary>
    private async Task<string> SecretAsync(CancellationToken ct)
    {
        if (await store.GetSettingAsync(SettingKeys.ClusterSecret, ct) is { Length: > 0 } kept)
        {
            return kept;
        }

        var secret = Secrets.New();
        await store.SetSettingAsync(SettingKeys.ClusterSecret, secret, ct);
        return secret;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RootRegistering, Level = LogLevel.Debug, Message = "Registering cluster {Name} at {Url} (attempt {Attempt})")]
        public static partial void Registering(ILogger logger, string name, Uri url, int attempt);

        [LoggerMessage(EventId = EventIds.RootTokenRefused, Level = LogLevel.Error,
            Message = "The root at {Url} refused this cluster's join token ({Status}: {Body}); check --root-join-token. Retrying in {Seconds} s")]
        public static partial void TokenRefused(ILogger logger, Uri url, int status, string body, double seconds);

        [LoggerMessage(EventId = EventIds.RootNameRefused, Level = LogLevel.Error,
            Message = "The root at {Url} refused the name {Name} ({Body}): another cluster registered it; start this one with another --name. Retrying in {Seconds} s")]
        public static partial void NameRefused(ILogger logger, Uri url, string name, string body, double seconds);

        [LoggerMessage(EventId = EventIds.RootNotTrusted, Level = LogLevel.Error,
            Message = "Refused the root at {Url} before sending this cluster's token or name: {Reason}. Retrying in {Seconds} s")]
        public static partial void NotTrusted(ILogger logger, Uri url, string reason, double seconds);

        [LoggerMessage(EventId = EventIds.RootUnreachable, Level = LogLevel.Warning, Message = "Root unreachable at {Url}: {Error}; retrying")]
        public static partial void Unreachable(ILogger logger, Uri url, string error);

        [LoggerMessage(EventId = EventIds.RootRegisterFailed, Level = LogLevel.Warning, Message = "Registration at {Url} failed ({Status}: {Body}); trying {Next}")]
        public static partial void Failed(ILogger logger, Uri url, int status, string body, string next);

        [LoggerMessage(EventId = EventIds.RootRegistered, Level = LogLevel.Information, Message = "Cluster {Name} registered at the root as {ClusterId}")]
        public static partial void Registered(ILogger logger, string name, string clusterId);
    }
}
