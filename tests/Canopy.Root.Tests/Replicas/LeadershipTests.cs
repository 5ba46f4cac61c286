using System.Diagnostics;
using Canopy.Root.Replicas;
using Canopy.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Canopy.Root.Tests.Replicas;

/// <summary>Several <see cref="PostgresLeadership"/> instances in one process on one throw-away database, as replicas would be.</summary>
public sealed class LeadershipTests(ReplicaDatabase database) : IClassFixture<ReplicaDatabase>, IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    private readonly List<PostgresLeadership> _started = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var leadership in _started)
        {
            await leadership.StopAsync(CancellationToken.None);
            leadership.Dispose();
        }
    }

    [Fact]
    public async Task Exactly_one_of_three_replicas_leads_and_all_of_them_know_it()
    {
        var db = await database.NewAsync();
        var replicas = new[] { await StartAsync(db, "https://a:1"), await StartAsync(db, "https://b:1"), await StartAsync(db, "https://c:1") };

        var leader = await Wait.ForAsync(() => Task.FromResult(replicas.SingleOrDefault(r => r.IsLeader)), l => l is not null,
            TimeSpan.FromSeconds(10), "one replica to lead");
        await Wait.UntilAsync(() => Task.FromResult(replicas.All(r => r.Leader?.ReplicaId == leader!.ReplicaId)),
            TimeSpan.FromSeconds(5), "every replica to know the leader");

        // Several rounds of keep-alives and polls: the lock stays where it is.
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 2;
        while (Stopwatch.GetTimestamp() < until)
        {
            replicas.Count(r => r.IsLeader).ShouldBe(1);
            await Task.Yield();
        }

        leader!.Leader!.Term.ShouldBe(1);
        leader.Leader.Url.ShouldBe(leader.ReplicaUrl);
        (await replicas[0].ReplicasAsync(CancellationToken.None)).Select(r => r.ReplicaId).Order()
            .ShouldBe(replicas.Select(r => r.ReplicaId).Order());
    }

    [Fact]
    public async Task When_the_leaders_session_dies_another_replica_leads_within_a_second_with_a_higher_term()
    {
        var db = await database.NewAsync();
        var first = await StartAsync(db, "https://a:1");
        await Wait.UntilAsync(() => Task.FromResult(first.IsLeader), TimeSpan.FromSeconds(10), "the first replica to lead");
        var second = await StartAsync(db, "https://b:1");
        await Wait.UntilAsync(() => Task.FromResult(second.Leader?.ReplicaId == first.ReplicaId), TimeSpan.FromSeconds(5), "the follower to see the leader");
        var firstTerm = first.Term!;

        // As a process that dies: its socket closes, and PostgreSQL frees the lock with the session. Stopping the first replica
        // closes its session the same way (a SIGKILLed process is the end-to-end test's).
        var killed = Stopwatch.GetTimestamp();
        await first.StopAsync(CancellationToken.None);

        await Wait.UntilAsync(() => Task.FromResult(second.IsLeader), TimeSpan.FromSeconds(5), "the second replica to lead");
        Stopwatch.GetElapsedTime(killed).ShouldBeLessThan(TimeSpan.FromSeconds(1.5));
        second.Term!.Number.ShouldBeGreaterThan(firstTerm.Number);
        firstTerm.Ended.IsCancellationRequested.ShouldBeTrue();
    }

    [Fact]
    public async Task A_terminated_leader_session_hands_leadership_on_and_only_one_replica_leads_after()
    {
        var db = await database.NewAsync();
        var replicas = new[] { await StartAsync(db, "https://a:1"), await StartAsync(db, "https://b:1") };
        var leader = await Wait.ForAsync(() => Task.FromResult(replicas.SingleOrDefault(r => r.IsLeader)), l => l is not null,
            TimeSpan.FromSeconds(10), "one replica to lead");
        var term = leader!.Term!.Number;

        await using (var admin = new NpgsqlConnection(db))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(leader_pid) FROM root_leadership WHERE id = 1", admin);
            (await kill.ExecuteScalarAsync()).ShouldBe(true);
        }

        var next = await Wait.ForAsync(() => Task.FromResult(replicas.SingleOrDefault(r => r.Term?.Number > term)), l => l is not null,
            TimeSpan.FromSeconds(5), "a new term");
        replicas.Count(r => r.IsLeader).ShouldBe(1);
        next!.Term!.Number.ShouldBe(term + 1);
    }

    [Fact]
    public async Task What_a_follower_tells_the_leader_reaches_it_through_the_database()
    {
        var db = await database.NewAsync();
        var leader = await StartAsync(db, "https://a:1");
        await Wait.UntilAsync(() => Task.FromResult(leader.IsLeader), TimeSpan.FromSeconds(10), "the first replica to lead");
        var follower = await StartAsync(db, "https://b:1");
        var heard = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        leader.News += news => heard.TrySetResult(news);

        follower.TellLeader(LeaderNews.Place);

        (await heard.Task.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBe(LeaderNews.Place);
    }

    [Fact]
    public async Task A_leader_cut_off_past_its_lease_has_stepped_down_before_the_next_leads_and_its_fenced_write_is_refused()
    {
        var db = await database.NewAsync();
        var server = new NpgsqlConnectionStringBuilder(db);
        await using var cut = new FreezableProxy(server.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(db) { Port = cut.Port }.ConnectionString;

        var old = await StartAsync(viaProxy, "https://old:1");
        await Wait.UntilAsync(() => Task.FromResult(old.IsLeader), TimeSpan.FromSeconds(10), "the replica behind the proxy to lead");
        var next = await StartAsync(db, "https://next:1");
        await Wait.UntilAsync(() => Task.FromResult(next.Leader?.ReplicaId == old.ReplicaId), TimeSpan.FromSeconds(5), "the follower to see the leader");
        var oldTerm = old.Term!;

        // Nothing passes either way, as with a SIGSTOPped process or a cut cable: the database ends the silent session after the
        // lease, and the follower takes over.
        cut.Freeze();
        await Wait.UntilAsync(() => Task.FromResult(next.IsLeader), Lease * 3, "the follower to lead");
        var newTerm = next.Term!;

        old.IsLeader.ShouldBeFalse();
        oldTerm.EndedAt.ShouldNotBe(0);
        oldTerm.EndedAt.ShouldBeLessThan(newTerm.StartedAt, "the old leader must stop before the new one starts");
        newTerm.Number.ShouldBeGreaterThan(oldTerm.Number);

        (await FencedWriteAsync(db, oldTerm)).ShouldBeFalse("a write fenced by the old term is refused");
        (await FencedWriteAsync(db, newTerm)).ShouldBeTrue("a write fenced by the current term passes");

        // Back on the network, the old replica follows: its session is gone and the lock is taken.
        cut.Thaw();
        await Wait.UntilAsync(() => Task.FromResult(old.Leader?.ReplicaId == next.ReplicaId), TimeSpan.FromSeconds(10), "the old leader to follow");
        old.IsLeader.ShouldBeFalse();
        next.IsLeader.ShouldBeTrue();
    }

    /// <summary>A write as the store makes one in leader-only work: the fence is checked inside its transaction.</summary>
    private static async Task<bool> FencedWriteAsync(string db, LeaderTerm term)
    {
        LeaderFence.Enter(term);
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        try
        {
            await LeaderFence.CheckAsync(connection, transaction, CancellationToken.None);
            await using var write = new NpgsqlCommand("UPDATE root_replicas SET last_seen = last_seen", connection, transaction);
            await write.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
            return true;
        }
        catch (NotLeaderException)
        {
            await transaction.RollbackAsync();
            return false;
        }
    }

    private async Task<PostgresLeadership> StartAsync(string connectionString, string url)
    {
        var options = new RootOptions { DataDir = "/nonexistent", ReplicaUrl = url, LeaderLease = Lease };
        var leadership = new PostgresLeadership(connectionString, options, TimeProvider.System, NullLogger<PostgresLeadership>.Instance);
        _started.Add(leadership);
        await leadership.StartAsync(CancellationToken.None);
        return leadership;
    }
}
