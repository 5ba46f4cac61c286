using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Root.Tests.Infrastructure;
using Canopy.Security;

namespace Canopy.Root.Tests;

public class JoinTokenTests : RootTestBase
{
    [Fact]
    public async Task An_admin_creates_lists_and_revokes_cluster_tokens_and_the_secret_is_shown_once()
    {
        var created = await CreateClusterTokenAsync("""{"description":"edge rollout","ttl_seconds":3600}""");

        created.Token.ShouldStartWith("cjt_");
        JoinToken.Parse(created.Token).CaPin.ShouldBe(Root.Service<CertificateAuthority>().Pin, "a cluster verifies the root with it");
        created.Kind.ShouldBe(JoinTokenKinds.Cluster);
        created.Description.ShouldBe("edge rollout");
        created.ExpiresAt.ShouldNotBeNull().ShouldBeInRange(created.CreatedAt.AddSeconds(3599), created.CreatedAt.AddSeconds(3601));
        var listText = await Root.Client.GetStringAsync("/api/v1/tokens/clusters");
        listText.ShouldNotContain(created.Token);
        var listed = JsonSerializer.Deserialize<List<JoinTokenDocument>>(listText, CanopyJson.Options)!.ShouldHaveSingleItem();
        listed.Id.ShouldBe(created.Id);
        listed.CreatedBy.ShouldBe("Admin");
        listed.Revoked.ShouldBeFalse();

        var revoked = await Root.Client.DeleteAsync($"/api/v1/tokens/clusters/{created.Id}");
        revoked.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Root.GetAsync<List<JoinTokenDocument>>("/api/v1/tokens/clusters")).ShouldHaveSingleItem().Revoked.ShouldBeTrue();
        await (await Root.Client.DeleteAsync("/api/v1/tokens/clusters/000000000000")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_created_token_registers_a_cluster_until_it_is_revoked()
    {
        var created = await CreateClusterTokenAsync("{}");

        var registered = await FakeCluster.RegisterAsync(Root, "edge-1", created.Token);
        (await Root.Client.DeleteAsync($"/api/v1/tokens/clusters/{created.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var refused = await RegisterAsync("edge-2", created.Token);

        registered.Id.ShouldNotBeEmpty();
        var problem = await refused.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        problem.Detail().ShouldContain("revoked");
        problem.Detail().ShouldContain(created.Id);
        (await Root.GetAsync<List<ClusterDocument>>("/api/clusters/")).ShouldHaveSingleItem().ClusterName.ShouldBe("edge-1");
    }

    [Fact]
    public async Task An_expired_or_unknown_token_is_refused_with_the_reason()
    {
        var created = await CreateClusterTokenAsync("""{"ttl_seconds":1}""");
        var expires = created.ExpiresAt.ShouldNotBeNull();
        while (DateTimeOffset.UtcNow <= expires.AddMilliseconds(50))
        {
            await Task.Delay(100);
        }

        var expired = await RegisterAsync("edge-1", created.Token);
        var unknown = await RegisterAsync("edge-1", "cjt_not-a-token");

        (await expired.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).Detail().ShouldContain("expired");
        (await unknown.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).Detail().ShouldContain("unknown");
    }

    [Fact]
    public async Task The_static_join_token_still_works_beside_created_ones()
    {
        await CreateClusterTokenAsync("{}");

        (await FakeCluster.RegisterAsync(Root, "edge-1", RootHost.JoinToken)).Id.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Bad_token_requests_and_non_admins_are_refused()
    {
        await (await Root.PostJsonAsync("/api/v1/tokens/clusters", """{"ttl_seconds":0}""")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        (await Root.Client.PostAsJsonAsync("/api/auth/register", new { name = "dave", password = "pw-dave-long-1" })).EnsureSuccessStatusCode();
        var dave = await Root.LoginAsync("dave", "pw-dave-long-1");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/tokens/clusters");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", dave.Token);

        (await Root.Client.SendAsync(request)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_name_held_by_a_connected_cluster_is_refused_to_another_cluster()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");

        var other = await RegisterAsync("edge-1", RootHost.JoinToken);

        (await other.ShouldBeProblemAsync(HttpStatusCode.Conflict)).Detail().ShouldStartWith("cluster name edge-1 is registered by another cluster");
    }

    [Fact]
    public async Task A_cluster_that_lost_its_link_registers_again_and_keeps_its_id()
    {
        var first = await FakeCluster.ConnectAsync(Root, "edge-1");
        await Eventually.ValueAsync(() => Root.GetAsync<List<ClusterDocument>>("/api/clusters/active"), l => l.Count == 1, "active");
        await first.CloseAsync();
        await first.DisposeAsync();
        await Eventually.ValueAsync(() => Root.GetAsync<List<ClusterDocument>>("/api/clusters/active"), l => l.Count == 0, "inactive");

        await using var again = await FakeCluster.ConnectAsync(Root, "edge-1");

        again.Id.ShouldBe(first.Id);
        (await Root.GetAsync<List<ClusterDocument>>("/api/clusters/")).ShouldHaveSingleItem();
    }

    private async Task<CreatedJoinTokenDocument> CreateClusterTokenAsync(string json)
    {
        var response = await Root.PostJsonAsync("/api/v1/tokens/clusters", json);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CreatedJoinTokenDocument>(CanopyJson.Options))!;
    }

    private Task<HttpResponseMessage> RegisterAsync(string name, string token) =>
        Root.Client.PostAsJsonAsync("/api/v1/clusters/register", new { cluster_name = name, join_token = token });
}

/// <summary>A root started without a static join token admits clusters with created tokens only.</summary>
public sealed class JoinTokenWithoutStaticTokenTests : RootTestBase
{
    [Fact]
    public async Task Only_created_tokens_register_clusters_and_without_one_the_refusal_says_so()
    {
        var before = await Root.Client.PostAsJsonAsync("/api/v1/clusters/register", new { cluster_name = "edge-1", join_token = "guess" });
        (await before.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).Detail().ShouldContain("accepts no clusters");

        var response = await Root.PostJsonAsync("/api/v1/tokens/clusters", "");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var created = (await response.Content.ReadFromJsonAsync<CreatedJoinTokenDocument>(CanopyJson.Options))!;

        (await FakeCluster.RegisterAsync(Root, "edge-1", created.Token)).Id.ShouldNotBeEmpty();
        var empty = await Root.Client.PostAsJsonAsync("/api/v1/clusters/register", new { cluster_name = "edge-2", join_token = "" });
        (await empty.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).Detail().ShouldBe("invalid cluster join token: none was given");
    }

    private protected override void Tweak(RootOptions options) => options.ClusterJoinToken = "";
}
