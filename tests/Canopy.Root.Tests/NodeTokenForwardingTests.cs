using System.Net;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

/// <summary>Node join tokens are kept at the cluster: the root forwards create, list and revoke over the link.</summary>
public sealed class NodeTokenForwardingTests : RootTestBase
{
    [Fact]
    public async Task Create_list_and_revoke_are_forwarded_to_the_cluster_and_its_answers_returned()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        var now = DateTimeOffset.UtcNow;
        var seen = new List<LinkRequest>();
        cluster.Answer = request =>
        {
            lock (seen)
            {
                seen.Add(request);
            }

            object? body = request.Kind switch
            {
                LinkRequestKinds.NodeTokensCreate => new CreatedJoinTokenDocument("n1", "njt_secret", "node", "rack 4", now, now.AddHours(1)),
                LinkRequestKinds.NodeTokensList => new[] { new JoinTokenDocument("n1", "node", "rack 4", now, "Admin", now.AddHours(1), false) },
                LinkRequestKinds.NodeTokensRevoke when request.Args?["id"]?.GetValue<string>() == "n1" =>
                    new JoinTokenDocument("n1", "node", "rack 4", now, "Admin", now.AddHours(1), true),
                _ => null,
            };
            return body is null
                ? new LinkResponse(request.RequestId, false, null, "node join token 'zz' not found at cluster 'edge-1'")
                : new LinkResponse(request.RequestId, true, JsonSerializer.SerializeToElement(body, CanopyJson.Options));
        };

        var created = await Root.PostJsonAsync($"/api/v1/clusters/{cluster.Id}/tokens/nodes", """{"description":"rack 4","ttl_seconds":3600}""");
        var listed = await Root.GetAsync<List<JoinTokenDocument>>("/api/v1/clusters/edge-1/tokens/nodes");
        var revoked = await Root.Client.DeleteAsync("/api/v1/clusters/edge-1/tokens/nodes/n1");
        var missing = await Root.Client.DeleteAsync("/api/v1/clusters/edge-1/tokens/nodes/zz");

        created.StatusCode.ShouldBe(HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
        JsonSerializer.Deserialize<CreatedJoinTokenDocument>(await created.Content.ReadAsStringAsync(), CanopyJson.Options)!.Token.ShouldBe("njt_secret");
        listed.ShouldHaveSingleItem().Id.ShouldBe("n1");
        revoked.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await missing.ShouldBeProblemAsync(HttpStatusCode.NotFound)).Detail().ShouldContain("not found");
        var create = seen.First(r => r.Kind == LinkRequestKinds.NodeTokensCreate);
        create.Args!["description"]!.GetValue<string>().ShouldBe("rack 4");
        create.Args["ttl_seconds"]!.GetValue<long>().ShouldBe(3600);
        create.Args["created_by"]!.GetValue<string>().ShouldBe("Admin");
    }

    [Fact]
    public async Task A_cluster_that_is_not_connected_is_a_503_and_an_unknown_one_a_404()
    {
        await FakeCluster.RegisterAsync(Root, "edge-1");

        var offline = await Root.PostJsonAsync("/api/v1/clusters/edge-1/tokens/nodes", "{}");
        var unknown = await Root.Client.GetAsync("/api/v1/clusters/nowhere/tokens/nodes");

        (await offline.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable)).Detail().ShouldContain("not connected");
        await unknown.ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }
}
