using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Contracts.Registration;

namespace Canopy.Cluster.Tests.Api;

/// <summary>Node join tokens created, listed and revoked by the root's link requests, and used by nodes to register.</summary>
public class NodeJoinTokenTests(ITestOutputHelper output) : ClusterTest(output)
{
    // No static node token: only the created ones admit nodes.
    private protected override void Configure(ClusterOptions options) => options.NodeJoinToken = "";


    [Fact]
    public async Task A_created_token_registers_nodes_until_revoked_and_registered_nodes_stay_and_register_again_with_their_secret()
    {
        var created = await AskAsync<CreatedJoinTokenDocument>(LinkRequestKinds.NodeTokensCreate,
            new JsonObject { ["description"] = "rack 4", ["ttl_seconds"] = 3600, ["created_by"] = "Admin" });
        created.Token.ShouldStartWith("njt_");
        created.ExpiresAt.ShouldNotBeNull();

        var first = await RegisterAsync(FakeNode.Describe("worker-1", new FakeNodeOptions(), created.Token));
        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        var node = (await first.Content.ReadFromJsonAsync<NodeRegisterResponse>(CanopyJson.Options))!;

        var listed = await AskAsync<List<JoinTokenDocument>>(LinkRequestKinds.NodeTokensList, null);
        var token = listed.ShouldHaveSingleItem();
        token.Id.ShouldBe(created.Id);
        token.CreatedBy.ShouldBe("Admin");
        token.Revoked.ShouldBeFalse();
        (await AskAsync<JoinTokenDocument>(LinkRequestKinds.NodeTokensRevoke, new JsonObject { ["id"] = created.Id })).Revoked.ShouldBeTrue();

        var again = await RegisterAsync(FakeNode.Describe("worker-1", new FakeNodeOptions(), created.Token, node.Id));
        var other = await RegisterAsync(FakeNode.Describe("worker-2", new FakeNodeOptions(), created.Token));

        again.StatusCode.ShouldBe(HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
        (await again.Content.ReadFromJsonAsync<NodeRegisterResponse>(CanopyJson.Options))!.Id.ShouldBe(node.Id);
        await NodeRegistrationTests.ShouldBeUnauthorizedAsync(other, "revoked");
        (await Cluster.NodesAsync()).ShouldHaveSingleItem().Id.ShouldBe(node.Id);
    }

    [Fact]
    public async Task A_token_with_a_number_of_uses_registers_that_many_new_nodes_and_restarts_use_none()
    {
        var created = await AskAsync<CreatedJoinTokenDocument>(LinkRequestKinds.NodeTokensCreate, new JsonObject { ["max_uses"] = 1 });
        created.MaxUses.ShouldBe(1);

        var first = await RegisterAsync(FakeNode.Describe("worker-1", new FakeNodeOptions(), created.Token));
        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        var id = (await first.Content.ReadFromJsonAsync<NodeRegisterResponse>(CanopyJson.Options))!.Id;
        var second = await RegisterAsync(FakeNode.Describe("worker-2", new FakeNodeOptions(), created.Token));
        var restart = await RegisterAsync(FakeNode.Describe("worker-1", new FakeNodeOptions(), created.Token, id));

        await NodeRegistrationTests.ShouldBeUnauthorizedAsync(second, $"token {created.Id} was used up (all 1 of its uses)");
        restart.StatusCode.ShouldBe(HttpStatusCode.OK, await restart.Content.ReadAsStringAsync());
        var listed = (await AskAsync<List<JoinTokenDocument>>(LinkRequestKinds.NodeTokensList, null)).ShouldHaveSingleItem();
        (listed.Uses, listed.MaxUses).ShouldBe((1, 1));
        (await Cluster.NodesAsync()).ShouldHaveSingleItem().Id.ShouldBe(id);
    }

    [Fact]
    public async Task Expired_unknown_and_missing_tokens_are_refused_with_the_reason()
    {
        var created = await AskAsync<CreatedJoinTokenDocument>(LinkRequestKinds.NodeTokensCreate, new JsonObject { ["ttl_seconds"] = 1 });
        var expires = created.ExpiresAt.ShouldNotBeNull();
        while (DateTimeOffset.UtcNow <= expires.AddMilliseconds(50))
        {
            await Task.Delay(100);
        }

        await NodeRegistrationTests.ShouldBeUnauthorizedAsync(
            await RegisterAsync(FakeNode.Describe("worker-1", new FakeNodeOptions(), created.Token)), "expired");
        await NodeRegistrationTests.ShouldBeUnauthorizedAsync(
            await RegisterAsync(FakeNode.Describe("worker-1", new FakeNodeOptions(), "njt_nope")), "unknown");
        await NodeRegistrationTests.ShouldBeUnauthorizedAsync(
            await RegisterAsync(FakeNode.Describe("worker-1", new FakeNodeOptions(), "")), "no node join token configured");
    }

    [Fact]
    public async Task Revoking_an_unknown_token_and_a_bad_ttl_answer_errors()
    {
        var revoke = await RequestAsync(LinkRequestKinds.NodeTokensRevoke, new JsonObject { ["id"] = "000000000000" });
        var badTtl = await RequestAsync(LinkRequestKinds.NodeTokensCreate, new JsonObject { ["ttl_seconds"] = -5 });
        var badUses = await RequestAsync(LinkRequestKinds.NodeTokensCreate, new JsonObject { ["max_uses"] = 0 });

        revoke.Ok.ShouldBeFalse();
        revoke.Error!.ShouldContain("not found");
        badTtl.Ok.ShouldBeFalse();
        badTtl.Error!.ShouldContain("ttl_seconds");
        badUses.Ok.ShouldBeFalse();
        badUses.Error!.ShouldContain("max_uses");
    }

    private Task<HttpResponseMessage> RegisterAsync(NodeRegisterRequest request) =>
        Cluster.Http.PostAsJsonAsync("/api/node/register", request, CanopyJson.Options);

    private async Task<T> AskAsync<T>(string kind, JsonObject? args)
    {
        var response = await RequestAsync(kind, args);
        response.Ok.ShouldBeTrue(response.Error);
        return response.Body!.Value.Deserialize<T>(CanopyJson.Options)!;
    }

    private async Task<LinkResponse> RequestAsync(string kind, JsonObject? args)
    {
        var id = Guid.NewGuid().ToString("N");
        await Root.SendAsync(LinkMessageTypes.Request, new LinkRequest(id, kind, args));
        var message = await Root.WaitForAsync(LinkMessageTypes.Response, m => m.Read<LinkResponse>().RequestId == id);
        return message.Read<LinkResponse>();
    }
}
