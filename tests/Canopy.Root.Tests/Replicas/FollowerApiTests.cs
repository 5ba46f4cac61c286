using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Root.Replicas;
using Canopy.Root.Tests.Infrastructure;
using Canopy.Testing;

namespace Canopy.Root.Tests.Replicas;

/// <summary>Two roots on the test server sharing the leadership of one PostgreSQL database: what a follower answers.</summary>
public sealed class FollowerApiTests(ReplicaDatabase database) : IClassFixture<ReplicaDatabase>
{
    private const string LeaderUrl = "https://replica-a.example:10000";
    private const string FollowerUrl = "https://replica-b.example:10000";

    [Fact]
    public async Task A_follower_sends_a_cluster_to_the_leader_and_health_names_the_leader_until_it_leads_itself()
    {
        var db = await database.NewAsync();
        using var dirA = new TempDir();
        using var dirB = new TempDir();
        var a = await StartReplicaAsync(dirA.Path, LeaderUrl, db);
        var aRuns = true;
        try
        {
            await Wait.UntilAsync(() => Task.FromResult(a.Service<RootLeadership>().IsLeader), TimeSpan.FromSeconds(10), "replica a to lead");
            await using var b = await StartReplicaAsync(dirB.Path, FollowerUrl, db);
            await Wait.UntilAsync(() => Task.FromResult(b.Service<RootLeadership>().Leader?.Url == LeaderUrl), TimeSpan.FromSeconds(5),
                "replica b to know the leader");

            var health = await b.GetAsync<RootHealth>("/health");
            health.Status.ShouldBe("ok");
            health.Replica.ShouldBe(new RootReplica(b.Service<RootLeadership>().ReplicaId, FollowerUrl, false));
            health.Leader!.Url.ShouldBe(LeaderUrl);
            health.Leader.Term.ShouldBe(1);
            health.Replicas.Select(r => r.Url).Order().ShouldBe([LeaderUrl, FollowerUrl]);
            health.Replicas.Single(r => r.Leader).Url.ShouldBe(LeaderUrl);

            // A cluster registered (any replica stores it) opens its link at the follower: it is told where the leader is.
            var cluster = await FakeCluster.RegisterAsync(b, "edge-1");
            var refused = await OpenLinkAsync(b, cluster);
            refused.StatusCode.ShouldBe(HttpStatusCode.MisdirectedRequest);
            refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            refused.Headers.GetValues(FollowerAnswer.LeaderHeader).ShouldBe([LeaderUrl]);
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            problem.GetProperty("leader_url").GetString().ShouldBe(LeaderUrl);
            problem.GetProperty("term").GetInt64().ShouldBe(1);
            problem.GetProperty("detail").GetString()!.ShouldContain(LeaderUrl);

            // A question only a cluster answers (nodes, logs, node join tokens) goes to the leader the same way.
            await b.AsAdminAsync();
            var nodes = await b.Client.GetAsync("/api/v1/nodes");
            nodes.StatusCode.ShouldBe(HttpStatusCode.MisdirectedRequest);
            nodes.Headers.GetValues(FollowerAnswer.LeaderHeader).ShouldBe([LeaderUrl]);
            (await nodes.Content.ReadAsStringAsync()).ShouldContain("only the leader holds the clusters' links");

            // The leader goes: the follower leads, says so, and takes the link (here the plain GET gets as far as "not a WebSocket").
            aRuns = false;
            await a.DisposeAsync();
            await Wait.UntilAsync(() => Task.FromResult(b.Service<RootLeadership>().IsLeader), TimeSpan.FromSeconds(5), "replica b to lead");
            health = await b.GetAsync<RootHealth>("/health");
            health.Leader!.Url.ShouldBe(FollowerUrl);
            health.Leader.Term.ShouldBe(2);
            health.Replica.Leader.ShouldBeTrue();
            (await OpenLinkAsync(b, cluster)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }
        finally
        {
            if (aRuns)
            {
                await a.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task The_embedded_store_has_one_replica_that_always_leads()
    {
        using var dir = new TempDir();
        await using var root = await RootHost.StartAsync(dir.Path);
        var health = await root.GetAsync<RootHealth>("/health");
        health.Status.ShouldBe("ok");
        health.Replica.Leader.ShouldBeTrue();
        health.Leader!.Term.ShouldBe(1);
        health.Leader.Url.ShouldBe(root.Options.Listen);
        health.Replicas.ShouldHaveSingleItem();
    }

    private static Task<RootHost> StartReplicaAsync(string dir, string url, string db) =>
        RootHost.StartAsync(dir, o => o.ReplicaUrl = url, s => s.AddPostgresLeadership(db));

    private static async Task<HttpResponseMessage> OpenLinkAsync(RootHost root, Contracts.Registration.ClusterRegisterResponse cluster)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/clusters/{cluster.Id}/link");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", cluster.Credential);
        return await root.Client.SendAsync(request);
    }
}
