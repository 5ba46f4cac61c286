using System.Collections.Concurrent;
using System.Security.Cryptography;
using Canopy.Cluster.Storage;
using Canopy.Hosting;
using Canopy.Mqtt;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Broker;

/// <summary>
/// The broker's accounts: the cluster's own user and one per registered node. Rewrites the password file from the store and
/// reloads Mosquitto, then proves the new account works before a node is told its credentials.
/// </summary>
internal sealed partial class BrokerUsers(
    IClusterStore store, MosquittoFiles files, MosquittoProcess broker, Tls.ClusterTls tls, ClusterOptions options, ILogger<BrokerUsers> logger)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private long _requested;
    private long _applied;
    private bool _lastReload;

    /// <summary>
    /// Accounts the broker was seen to accept (username to password): a registered node registering again keeps its account, and
    /// needs no rewrite, reload or probe (after a mass drop, hundreds come back at once; a node in a registration loop costs nothing).
    /// </summary>
    private readonly ConcurrentDictionary<string, string> _accepted = new(StringComparer.Ordinal);

    public static string NewPassword() => RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);

    /// <summary>The cluster's own account; its password is made once and kept in the store (in the data dir).</summary>
    public async Task<BrokerUser> GetClusterUserAsync(CancellationToken ct)
    {
        var password = await store.GetSettingAsync(SettingKeys.MqttClusterPassword, ct);
        if (password is null)
        {
            password = NewPassword();
            await store.SetSettingAsync(SettingKeys.MqttClusterPassword, password, ct);
        }

        return new BrokerUser(BrokerUser.ClusterUserName, password);
    }

    /// <summary>Writes the password file with every account the store knows.</summary>
    public async Task WritePasswordFileAsync(CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            await WriteUnlockedAsync(ct);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task WriteUnlockedAsync(CancellationToken ct)
    {
        var users = new List<BrokerUser> { await GetClusterUserAsync(ct) };
        users.AddRange((await store.ListNodesAsync(ct)).Select(n => new BrokerUser(n.Id, n.MqttPassword)));
        files.WritePasswords(users);
    }

    /// <summary>
    /// Makes <paramref name="user"/> (already in the store) valid at the broker: rewrite, reload, and wait until the broker accepts
    /// it, so that the node's first connect cannot race the reload. Nothing to do with an external broker.
    /// </summary>
    public async Task ApplyAsync(BrokerUser user, CancellationToken ct)
    {
        if (!options.Mqtt.StartBroker || (_accepted.TryGetValue(user.Username, out var accepted) && accepted == user.Password))
        {
            return;
        }

        if (!await RewriteAsync(ct))
        {
            throw ApiProblem.Unavailable("the cluster's MQTT broker is not running; see the cluster's log");
        }

        Log.Reloaded(logger, user.Username);
        try
        {
            await ProbeAsync(user, ct);
            _accepted[user.Username] = user.Password;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw ApiProblem.Unavailable(
                $"the MQTT broker did not accept the new account within {ProbeTimeout.TotalSeconds} s; see {files.LogFile}");
        }
    }

    /// <summary>Drops the accounts of nodes the store no longer has (a node that left): rewrite and reload.</summary>
    public async Task RevokeRemovedAsync(CancellationToken ct)
    {
        if (options.Mqtt.StartBroker)
        {
            _accepted.Clear();
            await RewriteAsync(ct);
        }
    }

    /// <summary>
    /// The password file from the store, then a reload; false when the broker is not running. Callers that arrive while one runs
    /// share the next: Mosquitto re-checks every connected client's password at each reload (a PBKDF2 each), so one reload per
    /// registration costs O(nodes) each and O(nodes²) for a fleet joining; batched, thousands of nodes join in seconds.
    /// A rewrite reads the store after the caller's account was stored (the caller's ticket is taken before), so it is in.
    /// </summary>
    private async Task<bool> RewriteAsync(CancellationToken ct)
    {
        var ticket = Interlocked.Increment(ref _requested);
        await _writeLock.WaitAsync(ct);
        try
        {
            if (Interlocked.Read(ref _applied) >= ticket)
            {
                return _lastReload;
            }

            var upTo = Interlocked.Read(ref _requested);
            await WriteUnlockedAsync(ct);
            _lastReload = broker.Reload();
            Interlocked.Exchange(ref _applied, upTo);
            return _lastReload;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ProbeAsync(BrokerUser user, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        while (true)
        {
            var client = new MqttClient(new MqttClientOptions
            {
                Host = broker.ConnectHost,
                Port = options.Mqtt.Port,
                ClientId = "canopy-probe-" + RandomNumberGenerator.GetHexString(8, lowercase: true),
                Username = user.Username,
                Password = user.Password,
                CleanSession = true,
                KeepAlive = TimeSpan.Zero,
                ConnectTimeout = TimeSpan.FromSeconds(2),
                Tls = tls.BrokerClientTls(options.Mqtt),
            });
            try
            {
                await client.ConnectAsync(timeout.Token);
                await client.DisconnectAsync(timeout.Token);
                return;
            }
            catch (MqttConnectException e) when (e.Result is MqttConnectResult.BadUsernameOrPassword or MqttConnectResult.NotAuthorized)
            {
                // Mosquitto handles SIGHUP in its main loop, a moment after the signal: try again until the deadline.
                await Task.Delay(20, timeout.Token);
            }
            finally
            {
                await client.DisposeAsync();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.BrokerReloaded, Level = LogLevel.Debug, Message = "MQTT broker reloaded its users for {Username}")]
        public static partial void Reloaded(ILogger logger, string username);
    }
}
