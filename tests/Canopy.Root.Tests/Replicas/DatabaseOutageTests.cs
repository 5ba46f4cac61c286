using System.Net;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Root.Replicas;
using Canopy.Root.Tests.Infrastructure;
using Canopy.Testing;
using Npgsql;

namespace Canopy.Root.Tests.Replicas;

/// <summary>The replicas' database stops and starts again: the leader stops leading, /health says why, and both resume by themselves.</summary>
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task While_the_database_is_down_nobody_leads_and_health_is_503_then_leadership_resumes_by_itself()
    {
        await using var server = await TestPostgres.StartNewAsync();
        var database = await server.CreateDatabaseAsync("outage");
        var db = server.ConnectionString(database);
        await using (var connection = new NpgsqlConnection(db))
        {
            await connection.OpenAsync();
            await using var schema = new NpgsqlCommand(Canopy.Root.Store.RootSchema.ReplicaTables, connection);
            await schema.ExecuteNonQueryAsync();
        }

        using var dir = new TempDir();
        await using var root = await RootHost.StartAsync(dir.Path, o => o.ReplicaUrl = "https://replica.example:10000", s => s.AddPostgresLeadership(db));
        var leadership = root.Service<RootLeadership>();
        await Wait.UntilAsync(() => Task.FromResult(leadership.IsLeader), TimeSpan.FromSeconds(10), "the replica to lead");
        var term = leadership.Term!;

        await server.StopAsync();
        await Wait.UntilAsync(() => Task.FromResult(!leadership.IsLeader), TimeSpan.FromSeconds(5), "the replica to stop leading");
        term.Ended.IsCancellationRequested.ShouldBeTrue();
        var down = await root.Client.GetAsync("/health");
        down.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var health = (await down.Content.ReadFromJsonAsync<RootHealth>(CanopyJson.Options))!;
        health.Status.ShouldBe("unhealthy");
        health.Problem!.ShouldContain("database does not answer");
        health.Replica.Leader.ShouldBeFalse();

        await server.StartAsync();
        await Wait.UntilAsync(() => Task.FromResult(leadership.IsLeader), TimeSpan.FromSeconds(15), "the replica to lead again");
        leadership.Term!.Number.ShouldBeGreaterThan(term.Number);
        (await root.GetAsync<RootHealth>("/health")).Status.ShouldBe("ok");
    }
}
