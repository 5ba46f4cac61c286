using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Root.ClusterLinks;
using Canopy.Root.Store;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

/// <summary>A join token admits new clusters; only a cluster's own secret registers its name again.</summary>
public class ClusterIdentityTests : RootTestBase
{
    private const string Guessed = "a-guessed-secret-0123456789abcdef0123";

    [Fact]
    public async Task A_join_token_holder_naming_a_registered_cluster_is_refused_connected_or_not_and_nothing_of_it_changes()
    {
        var victim = await FakeCluster.ConnectAsync(Root, "edge-1");
        await victim.CloseAsync();
        await victim.DisposeAsync();
        await Eventually.ValueAsync(() => Root.GetAsync<List<ClusterDocument>>("/api/clusters/active"), l => l.Count == 0, "the victim inactive");
        var before = await ClusterAsync("edge-1");
        var created = await CreateTokenAsync("{}");

        foreach (var (token, secret) in new[] { (RootHost.JoinToken, Guessed), (created.Token, Guessed), (RootHost.JoinToken, null) })
        {
            var refused = await RegisterAsync("edge-1", token, secret);
            (await refused.ShouldBeProblemAsync(HttpStatusCode.Conflict)).Detail().ShouldBe(
                "cluster name edge-1 is registered by another cluster, and this registration does not prove it is that cluster (its secret is " +
                "missing or wrong). A registered cluster proves it by itself with the secret kept in its data dir; a new cluster needs a " +
                "name of its own (--name)");
        }

        (await ClusterAsync("edge-1")).ShouldBe(before);
        (await Root.GetAsync<List<JoinTokenDocument>>("/api/v1/tokens/clusters")).ShouldHaveSingleItem().Uses.ShouldBe(0);
        var link = await FakeCluster.OpenLinkAsync(Root, victim.Id, victim.Credential);
        link.State.ShouldBe(WebSocketState.Open, "its credential still opens its link");
        link.Dispose();

        await using var connected = await FakeCluster.ConnectAgainAsync(Root, victim);
        await (await RegisterAsync("edge-1", RootHost.JoinToken, Guessed)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        connected.Id.ShouldBe(victim.Id);
        Root.Service<LinkHub>().IsConnected(victim.Id).ShouldBeTrue();
        connected.CloseDescription.ShouldBeNull();
    }

    [Fact]
    public async Task A_registered_cluster_registers_again_with_its_secret_and_no_valid_join_token()
    {
        var first = await FakeCluster.RegisterAsync(Root, "edge-1");

        var again = await FakeCluster.RegisterAsync(Root, "edge-1", joinToken: "revoked-or-expired");

        again.Id.ShouldBe(first.Id);
        again.Credential.ShouldNotBe(first.Credential);
    }

    [Fact]
    public async Task A_token_with_a_number_of_uses_registers_that_many_new_clusters_and_re_registrations_use_none()
    {
        var created = await CreateTokenAsync("""{"max_uses":2}""");
        created.MaxUses.ShouldBe(2);

        var first = await FakeCluster.RegisterAsync(Root, "edge-1", created.Token);
        await FakeCluster.RegisterAsync(Root, "edge-2", created.Token);
        var third = await RegisterAsync("edge-3", created.Token, FakeCluster.SecretOf("edge-3"));
        var again = await FakeCluster.RegisterAsync(Root, "edge-1", created.Token);

        (await third.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).Detail()
            .ShouldBe($"invalid cluster join token: token {created.Id} was used up (all 2 of its uses)");
        again.Id.ShouldBe(first.Id);
        var listed = (await Root.GetAsync<List<JoinTokenDocument>>("/api/v1/tokens/clusters")).ShouldHaveSingleItem();
        (listed.Uses, listed.MaxUses).ShouldBe((2, 2));
        await (await Root.PostJsonAsync("/api/v1/tokens/clusters", """{"max_uses":0}""")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_new_cluster_without_a_secret_is_told_to_upgrade()
    {
        var response = await RegisterAsync("edge-1", RootHost.JoinToken, null);

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).Detail().ShouldContain("runs an older Canopy: upgrade it");
        (await Root.GetAsync<List<ClusterDocument>>("/api/clusters/")).ShouldBeEmpty();
    }

    private async Task<ClusterRecord> ClusterAsync(string name) =>
        (await Root.Service<IRootStore>().FindClusterByNameAsync(name, CancellationToken.None)).ShouldNotBeNull();

    private async Task<CreatedJoinTokenDocument> CreateTokenAsync(string json)
    {
        var response = await Root.PostJsonAsync("/api/v1/tokens/clusters", json);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CreatedJoinTokenDocument>(CanopyJson.Options))!;
    }

    private Task<HttpResponseMessage> RegisterAsync(string name, string token, string? secret) =>
        Root.Client.PostAsJsonAsync("/api/v1/clusters/register", new { cluster_name = name, join_token = token, secret });
}
