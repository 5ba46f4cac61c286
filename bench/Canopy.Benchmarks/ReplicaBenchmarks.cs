using System.Diagnostics;
using Canopy.Root;
using Canopy.Root.Replicas;
using Canopy.Root.Store;
using Canopy.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Canopy.Benchmarks;

/// <summary>
/// Root leadership between replicas on a throw-away PostgreSQL (durable, as in production): how long from the leader's end to the
/// next leader, the database part of "leader kill → first new placement". Two ends: the leader's session closed (what a SIGKILL
/// does: the kernel closes the socket) and the leader silent (SIGSTOP, cut cable: the lease must run out first).
/// </summary>
internal static class ReplicaBenchmarks
{
    public static async Task HandoverAsync(int runs)
    {
        await using var server = await TestPostgres.StartNewAsync(durable: true);
        var killed = new List<double>();
        var silent = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            killed.Add(await HandoverAfterAsync(server, silentLeader: false));
            silent.Add(await HandoverAfterAsync(server, silentLeader: true));
        }

        Console.WriteLine($"root leader session closed (SIGKILL) → next replica leads: {Stats.Summary(killed)}");
        Console.WriteLine($"root leader silent (SIGSTOP / cut off) → next replica leads (lease {Lease.TotalSeconds:0} s): {Stats.Summary(silent)}");
    }

    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    private static async Task<double> HandoverAfterAsync(TestPostgres server, bool silentLeader)
    {
        var database = await server.CreateDatabaseAsync("replicas");
        var connectionString = server.ConnectionString(database);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var schema = new NpgsqlCommand(RootSchema.ReplicaTables, connection);
            await schema.ExecuteNonQueryAsync();
        }

        await using var cut = new FreezableProxy(server.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(connectionString) { Port = cut.Port }.ConnectionString;
        using var leader = Start(viaProxy, "https://leader:1");
        await Wait.UntilAsync(() => Task.FromResult(leader.IsLeader), TimeSpan.FromSeconds(10), "the first replica to lead");
        using var next = Start(connectionString, "https://next:1");
        await Wait.UntilAsync(() => Task.FromResult(next.Leader is not null), TimeSpan.FromSeconds(10), "the second replica to follow");

        var start = Stopwatch.GetTimestamp();
        if (silentLeader)
        {
            cut.Freeze();
        }
        else
        {
            await leader.StopAsync(CancellationToken.None);
        }

        await Wait.ForAsync(() => Task.FromResult(next.IsLeader), l => l, TimeSpan.FromSeconds(15), "the next replica to lead",
            poll: TimeSpan.FromMilliseconds(5));
        var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        cut.Thaw();
        await next.StopAsync(CancellationToken.None);
        await leader.StopAsync(CancellationToken.None);
        return ms;
    }

    private static PostgresLeadership Start(string connectionString, string url)
    {
        var options = new RootOptions { DataDir = "/nonexistent", ReplicaUrl = url, LeaderLease = Lease };
        var leadership = new PostgresLeadership(connectionString, options, TimeProvider.System, NullLogger<PostgresLeadership>.Instance);
        leadership.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        return leadership;
    }
}
