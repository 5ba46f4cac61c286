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
    private string? _lastFailure;

    /// <summary>The accounts of the password file last written (username to password), under the write lock.</summary>
    private Dictionary<string, string> _written = new(StringComparer.Ordinal);

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

    /// <summary>The accounts written, and one of them the previous file did not have (null when none is new).</summary>
    private async Task<(List<BrokerUser> Accounts, BrokerUser? Fresh)> WriteUnlockedAsync(CancellationToken ct)
    {
        var users = new List<BrokerUser> { await GetClusterUserAsync(ct) };
        users.AddRange((await store.ListNodesAsync(ct)).Select(n => new BrokerUser(n.Id, n.MqttPassword)));
        files.WritePasswords(users);
        var fresh = users.LastOrDefault(u => !_written.TryGetValue(u.Username, out var password) || password != u.Password);
        _written = users.ToDictionary(u => u.Username, u => u.Password, StringComparer.Ordinal);
        return (users, fresh);
    }

    /// <summary>
    /// Makes <paramref name="user"/> (already in the store) valid at the broker: rewrite, reload, and wait until the broker accepts
    /// it, so that the node's first connect cannot race the reload. Nothing to do with an external broker. <paramref name="reloaded"/>
    /// is called when this caller's batch was written and the broker signalled (for <see cref="Nodes.RegistrationTimings"/>).
    /// </summary>
    /// <remarks>
    /// Callers that arrive while a batch is applied share the next one: one rewrite, one reload and one probe for all of them.
    /// Mosquitto re-checks every connected client's password at each reload, so one reload per registration is O(nodes) each and
    /// O(nodes²) for a fleet joining; and each probe is a TLS handshake with the broker's only thread. A batch reads the store
    /// after every caller it covers stored its account (the caller's ticket is taken after that), so all of them are in the file.
    /// The probe uses an account new in this file: once the broker accepts it, it has loaded this file, so every account in it.
    /// </remarks>
    public async Task ApplyAsync(BrokerUser user, CancellationToken ct, Action? reloaded = null)
    {
        if (!options.Mqtt.StartBroker || (_accepted.TryGetValue(user.Username, out var accepted) && accepted == user.Password))
        {
            return;
        }

        var ticket = Interlocked.Increment(ref _requested);
        string? failure;
        await _writeLock.WaitAsync(ct);
        try
        {
            if (Interlocked.Read(ref _applied) < ticket)
            {
                var upTo = Interlocked.Read(ref _requested);
                _lastFailure = await ApplyBatchAsync(user, reloaded, ct);
                Interlocked.Exchange(ref _applied, upTo);
            }
            else
            {
                reloaded?.Invoke();
            }

            failure = _lastFailure;
        }
        finally
        {
            _writeLock.Release();
        }

        if (failure is not null)
        {
            throw ApiProblem.Unavailable(failure);
        }
    }

    /// <summary>Drops the accounts of nodes the store no longer has (a node that left): rewrite and reload.</summary>
    public async Task RevokeRemovedAsync(CancellationToken ct)
    {
        if (!options.Mqtt.StartBroker)
        {
            return;
        }

        await _writeLock.WaitAsync(ct);
        try
        {
            await WriteUnlockedAsync(ct);
            ForgetRemoved();
            broker.Reload();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Under the write lock: rewrite, reload, probe. Null when every account written is accepted; else why not.</summary>
    private async Task<string?> ApplyBatchAsync(BrokerUser caller, Action? reloaded, CancellationToken ct)
    {
        var (accounts, fresh) = await WriteUnlockedAsync(ct);
        ForgetRemoved();
        if (!broker.Reload())
        {
            return "the cluster's MQTT broker is not running; see the cluster's log";
        }

        reloaded?.Invoke();
        var probe = fresh ?? caller;
        Log.Reloaded(logger, accounts.Count, probe.Username);
        try
        {
            await ProbeAsync(probe, ct);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"the MQTT broker did not accept the new account within {ProbeTimeout.TotalSeconds} s; see {files.LogFile}";
        }

        foreach (var account in accounts)
        {
            _accepted[account.Username] = account.Password;
        }

        return null;
    }

    /// <summary>A node that left is forgotten: were it to come back with the same account, it would be applied again.</summary>
    private void ForgetRemoved()
    {
        foreach (var gone in _accepted.Keys.Where(u => !_written.ContainsKey(u)).ToList())
        {
            _accepted.TryRemove(gone, out _);
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
        [LoggerMessage(EventId = EventIds.BrokerReloaded, Level = LogLevel.Debug, Message = "MQTT broker reloaded its {Count} users; probing with {Username}")]
        public static partial void Reloaded(ILogger logger, int count, string username);
    }
}
