using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts.Link;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Cluster.Tests.RootLink;

/// <summary>A cluster that knows several replicas of its root keeps one link, moves to another when it dies, and follows the leader.</summary>
public sealed class RootFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task When_its_replica_dies_the_cluster_links_to_the_next_one_and_says_hello_there()
    {
        var first = await FakeRoot.StartAsync();
        await using var second = await FakeRoot.StartAsync();
        try
        {
            await using var cluster = await TestCluster.StartAsync(output, first, o => o.RootUrl = $"{first.Url},{second.Url}");
            await first.WaitForAsync(LinkMessageTypes.Hello);

            var killed = Stopwatch.StartNew();
            await first.KillAsync();

            await second.WaitForAsync(LinkMessageTypes.Hello, timeout: TimeSpan.FromSeconds(30));
            output.WriteLine($"linked to the other replica {killed.ElapsedMilliseconds} ms after the kill");
            second.Registrations.Snapshot().ShouldBeEmpty("the replicas share the database: the cluster keeps its id and credential");
            (await StatusAsync(cluster)).GetProperty("root_url").GetString().ShouldBe(second.Url);
        }
        finally
        {
            await first.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_follower_sends_the_cluster_to_the_leader_it_names()
    {
        await using var leader = await FakeRoot.StartAsync();
        await using var follower = await FakeRoot.StartAsync();
        follower.LeaderUrl = leader.Url;

        // Given only the follower; it waits for the hello at the leader.
        await using var cluster = await TestCluster.StartAsync(output, leader, o => o.RootUrl = follower.Url);

        follower.NotLeaderAnswers.ShouldBeGreaterThan(0);
        follower.Registrations.Snapshot().ShouldBeEmpty();
        leader.Registrations.Snapshot().ShouldHaveSingleItem();
        (await StatusAsync(cluster)).GetProperty("root_url").GetString().ShouldBe(leader.Url);
    }

    [Fact]
    public async Task A_follower_that_names_the_leaders_link_url_is_followed_too()
    {
        await using var leader = await FakeRoot.StartAsync();
        await using var follower = await FakeRoot.StartAsync();
        await using var cluster = await TestCluster.StartAsync(output, follower, o => o.RootUrl = follower.Url);
        await follower.WaitForAsync(LinkMessageTypes.Hello);

        // It loses the leadership: the link breaks, and it now names the leader by the link's own URL.
        follower.LeaderUrl = leader.Url.Replace("http://", "ws://", StringComparison.Ordinal) + $"/api/v1/clusters/{FakeRoot.ClusterId}/link";
        follower.DropLink();

        await leader.WaitForAsync(LinkMessageTypes.Hello, timeout: TimeSpan.FromSeconds(30));
        (await StatusAsync(cluster)).GetProperty("root_url").GetString().ShouldBe(leader.Url);
    }

    [Fact]
    public async Task The_replicas_named_at_registration_are_failed_over_to_and_kept_for_the_next_start()
    {
        var first = await FakeRoot.StartAsync();
        await using var second = await FakeRoot.StartAsync();
        first.ReplicaUrls = [first.Url, second.Url];
        try
        {
            await using var cluster = await TestCluster.StartAsync(output, first, o => o.RootUrl = first.Url);
            await first.WaitForAsync(LinkMessageTypes.Hello);
            (await cluster.Services.GetRequiredService<Canopy.Cluster.Storage.IClusterStore>().GetSettingAsync(Canopy.Cluster.Storage.SettingKeys.RootReplicaUrls, default)).ShouldBe($"{first.Url}\n{second.Url}");

            await first.KillAsync();

            await second.WaitForAsync(LinkMessageTypes.Hello, timeout: TimeSpan.FromSeconds(30));
        }
        finally
        {
            await first.DisposeAsync();
        }
    }

    private static async Task<JsonElement> StatusAsync(TestCluster cluster) =>
        await cluster.Http.GetFromJsonAsync<JsonElement>("/api/cluster/status");
}
