using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Canopy.Root.Replicas;

/// <summary>
/// Leadership among root replicas that share one PostgreSQL database. Each replica keeps one dedicated session: a follower tries
/// the session advisory lock every <see cref="RootOptions.LeaderPollInterval"/>; the replica that gets it bumps the term in
/// <c>root_leadership</c> and leads. The lock goes with the session: at once when the leader's process dies (its socket closes),
/// and after <c>idle_session_timeout</c> (<see cref="RootOptions.LeaderLease"/>) when it is paused or cut off. The leader renews a
/// local lease of two thirds of that with a round trip every sixth, and stops acting when it runs out: before the database could
/// free its lock for anyone else. Leader-only writes check the term in their transaction (<see cref="LeaderFence"/>).
/// </summary>
internal sealed partial class PostgresLeadership : RootLeadership
{
    /// <summary>The channel followers notify when a change of theirs needs the leader (a new instance to place, an undeploy to send).</summary>
    public const string WakeChannel = "canopy_root_leader";

    private readonly NpgsqlDataSource _pool;
    private readonly string _session;
    private readonly RootOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresLeadership> _log;
    private readonly DateTimeOffset _started;
    private LeaderTerm? _term;
    private volatile LeaderInfo? _leader;

    public PostgresLeadership(string connectionString, RootOptions options, TimeProvider time, ILogger<PostgresLeadership> log)
    {
        _options = options;
        _time = time;
        _log = log;
        _started = time.GetUtcNow();
        ReplicaUrl = options.AdvertisedUrl();
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        _pool = NpgsqlDataSource.Create(builder.ConnectionString);

        // Its own physical session, never pooled: closing it must end the session and free the lock.
        builder.Pooling = false;
        builder.Timeout = Math.Max(1, (int)Math.Ceiling(options.LeaderLease.TotalSeconds));
        builder.CommandTimeout = builder.Timeout;
        builder.ApplicationName = $"canopy-root {ReplicaId}";
        _session = builder.ConnectionString;
    }

    public override string ReplicaId { get; } = Convert.ToHexString(Guid.NewGuid().ToByteArray()[..6]).ToLowerInvariant();

    public override string ReplicaUrl { get; }

    public override LeaderInfo? Leader => _leader;

    /// <summary>The local lease: two thirds of the database's, so it always runs out first.</summary>
    private TimeSpan LocalLease => _options.LeaderLease * 2 / 3;

    private TimeSpan KeepAliveInterval => _options.LeaderLease / 6;

    public override async Task<IReadOnlyList<ReplicaInfo>> ReplicasAsync(CancellationToken ct)
    {
        await using var command = _pool.CreateCommand(
            "SELECT replica_id, api_url, started_at, last_seen FROM root_replicas WHERE last_seen >= @since ORDER BY started_at, replica_id");
        command.Parameters.AddWithValue("since", Stamp(_time.GetUtcNow() - TimeSpan.FromMinutes(1)));
        var replicas = new List<ReplicaInfo>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            replicas.Add(new ReplicaInfo(reader.GetString(0), reader.GetString(1), Parse(reader.GetString(2)), Parse(reader.GetString(3))));
        }

        return replicas;
    }

    /// <summary>Tells the leader (whichever replica it is, this one included) that <paramref name="what"/> changed.</summary>
    public async Task NotifyLeaderAsync(string what, CancellationToken ct)
    {
        await using var command = _pool.CreateCommand("SELECT pg_notify(@channel, @what)");
        command.Parameters.AddWithValue("channel", WakeChannel);
        command.Parameters.AddWithValue("what", what);
        await command.ExecuteNonQueryAsync(ct);
    }

    public override void TellLeader(string news) => _ = TellAsync(news);

    private async Task TellAsync(string news)
    {
        try
        {
            await NotifyLeaderAsync(news, CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or SocketException or TimeoutException)
        {
            NoticeLost(news, e.Message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunSessionAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or SocketException or TimeoutException or InvalidOperationException
                                          or LeaseExpiredException)
            {
                SessionLost(e.Message);
            }
            finally
            {
                StepDown();
            }

            try
            {
                await Task.Delay(_options.LeaderPollInterval, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await using var command = _pool.CreateCommand("DELETE FROM root_replicas WHERE replica_id = @id");
            command.Parameters.AddWithValue("id", ReplicaId);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or SocketException or TimeoutException or OperationCanceledException)
        {
            // The database is gone too: the row ages out of the listing.
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _pool.Dispose();
    }

    /// <summary>One database session: follow (try the lock) until it is won, then lead (renew) until the session or lease ends.</summary>
    private async Task RunSessionAsync(CancellationToken ct)
    {
        await using var session = new NpgsqlConnection(_session);
        await session.OpenAsync(ct);
        session.Notification += (_, e) => Heard(e.Payload);
        await ExecuteAsync(session, $"SET idle_session_timeout = {(int)_options.LeaderLease.TotalMilliseconds}", ct);
        await ExecuteAsync(session, """
            INSERT INTO root_replicas (replica_id, api_url, started_at, last_seen) VALUES (@id, @url, @started, @now)
            ON CONFLICT (replica_id) DO UPDATE SET api_url = excluded.api_url, last_seen = excluded.last_seen
            """, ct, ("id", ReplicaId), ("url", ReplicaUrl), ("started", Stamp(_started)), ("now", Stamp(_time.GetUtcNow())));

        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_term is null)
            {
                await FollowAsync(session, ct);
                if (_term is null)
                {
                    await Task.Delay(_options.LeaderPollInterval, _time, ct);
                }
            }
            else
            {
                await RenewAsync(session, _term, ct);

                // Sleeps until the next renewal, woken early by a follower's notification (handled by the event above).
                await session.WaitAsync(KeepAliveInterval, ct);
            }
        }
    }

    private async Task FollowAsync(NpgsqlConnection session, CancellationToken ct)
    {
        var sent = Stopwatch.GetTimestamp();
        await ExecuteAsync(session, "UPDATE root_replicas SET last_seen = @now WHERE replica_id = @id", ct,
            ("now", Stamp(_time.GetUtcNow())), ("id", ReplicaId));
        await using (var attempt = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LeaderFence.LockKey})", session))
        {
            if (await attempt.ExecuteScalarAsync(ct) is not true)
            {
                _leader = await ReadLeaderAsync(session, ct);
                return;
            }
        }

        await using var bump = new NpgsqlCommand("""
            UPDATE root_leadership SET term = term + 1, leader_id = @id, leader_url = @url, leader_pid = pg_backend_pid(), since = @now
            WHERE id = 1 RETURNING term
            """, session);
        var since = _time.GetUtcNow();
        bump.Parameters.AddWithValue("id", ReplicaId);
        bump.Parameters.AddWithValue("url", ReplicaUrl);
        bump.Parameters.AddWithValue("now", Stamp(since));
        var number = await bump.ExecuteScalarAsync(ct) is long n
            ? n
            : throw new InvalidOperationException("root_leadership has no row: the root store's schema is older than version 6");
        await ExecuteAsync(session, $"LISTEN {WakeChannel}", ct);

        var term = new LeaderTerm(number, LocalLease, sent);
        _term = term;
        _leader = new LeaderInfo(ReplicaId, ReplicaUrl, number, since);
        Elected(term);
        Leading(ReplicaId, number, ReplicaUrl);
    }

    private async Task RenewAsync(NpgsqlConnection session, LeaderTerm term, CancellationToken ct)
    {
        var sent = Stopwatch.GetTimestamp();
        await ExecuteAsync(session, "UPDATE root_replicas SET last_seen = @now WHERE replica_id = @id", ct,
            ("now", Stamp(_time.GetUtcNow())), ("id", ReplicaId));
        if (!term.Renew(sent))
        {
            // The lease ran out before the answer came (a pause, a slow database): the term is over here, and the lock must go
            // with this session, or nobody could lead.
            throw new LeaseExpiredException($"the lease of term {term.Number} ran out before it was renewed");
        }
    }

    private void StepDown()
    {
        if (Interlocked.Exchange(ref _term, null) is { } term)
        {
            var lapsed = !term.IsValid;
            term.End();
            SteppedDown(ReplicaId, term.Number, lapsed ? "its lease ran out" : "its database session ended");
            _leader = null;
        }
    }

    private static async Task<LeaderInfo?> ReadLeaderAsync(NpgsqlConnection session, CancellationToken ct)
    {
        await using var read = new NpgsqlCommand("SELECT term, leader_id, leader_url, since FROM root_leadership WHERE id = 1", session);
        await using var reader = await read.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct) || reader.IsDBNull(1))
        {
            return null;
        }

        return new LeaderInfo(reader.GetString(1), reader.IsDBNull(2) ? "" : reader.GetString(2), reader.GetInt64(0),
            reader.IsDBNull(3) ? null : Parse(reader.GetString(3)));
    }

    private static async Task ExecuteAsync(NpgsqlConnection session, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, session);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(ct);
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string stamp) => DateTimeOffset.Parse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    [LoggerMessage(EventId = 1704, Level = LogLevel.Warning, Message = "Could not tell the leader '{News}' ({Why}); its next sweep finds it")]
    private partial void NoticeLost(string news, string why);

    private sealed class LeaseExpiredException(string message) : Exception(message);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Information, Message = "Root replica {ReplicaId} leads (term {Term}) at {Url}")]
    private partial void Leading(string replicaId, long term, string url);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Warning, Message = "Root replica {ReplicaId} stopped leading (term {Term}): {Why}")]
    private partial void SteppedDown(string replicaId, long term, string why);

    [LoggerMessage(EventId = 1703, Level = LogLevel.Warning, Message = "Leadership session with the database lost: {Why}; connecting again")]
    private partial void SessionLost(string why);
}
