using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Registration;

namespace Canopy.Cluster.Tests.Api;

public class NodeRegistrationTests(ITestOutputHelper output) : ClusterTest(output)
{

    [Fact]
    public async Task Register_GoodToken_GivesIdAndBrokerAccount()
    {
        var response = await RegisterAsync(FakeNode.Describe("worker-1", new FakeNodeOptions()));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = (await response.Content.ReadFromJsonAsync<NodeRegisterResponse>(CanopyJson.Options))!;
        body.Id.ShouldMatch("^[0-9a-f]{24}$");
        body.Mqtt.Host.ShouldBe("127.0.0.1");
        body.Mqtt.Port.ShouldBe(Cluster.Options.Mqtt.Port);
        body.Mqtt.Username.ShouldBe(body.Id);
        body.Mqtt.Password.Length.ShouldBeGreaterThanOrEqualTo(32);
        (await Cluster.NodesAsync()).ShouldHaveSingleItem().Name.ShouldBe("worker-1");
    }

    [Theory]
    [InlineData("wrong-token")]
    [InlineData("")]
    public async Task Register_BadToken_Is401ProblemJson(string token)
    {
        var response = await RegisterAsync(FakeNode.Describe("worker-1", new FakeNodeOptions(), token));

        await ShouldBeUnauthorizedAsync(response, "invalid node join token");
        (await Cluster.NodesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Register_MissingToken_Is401ProblemJson()
    {
        var response = await Cluster.Http.PostAsJsonAsync("/api/node/register", new { host = "worker-1", vcpus = 2 });

        await ShouldBeUnauthorizedAsync(response, "invalid node join token");
    }

    [Fact]
    public async Task Register_AgainWithItsIdAndSecret_KeepsIdPasswordAndSubnet()
    {
        var first = await RegisterOkAsync(FakeNode.Describe("worker-1", new FakeNodeOptions()));

        var again = await RegisterOkAsync(
            FakeNode.Describe("worker-1-renamed", new FakeNodeOptions(), id: first.Id, secret: FakeNode.SecretOf("worker-1")));

        again.Id.ShouldBe(first.Id);
        again.Mqtt.Password.ShouldBe(first.Mqtt.Password);
        again.Subnet.ShouldBe(first.Subnet);
        (await Cluster.NodesAsync()).ShouldHaveSingleItem().Name.ShouldBe("worker-1-renamed");
    }

    [Fact]
    public async Task Register_WithoutId_ItsSecretFindsIt_AnotherSecretIsAnotherNode()
    {
        var first = await RegisterOkAsync(FakeNode.Describe("worker-1", new FakeNodeOptions()));

        // A node whose first answer was lost has no id yet, but its secret.
        var again = await RegisterOkAsync(FakeNode.Describe("worker-1", new FakeNodeOptions()));
        var sameName = await RegisterOkAsync(FakeNode.Describe("worker-1", new FakeNodeOptions(), secret: "another-secret-0123456789abcdef012345"));

        again.Id.ShouldBe(first.Id);
        sameName.Id.ShouldNotBe(first.Id);
        sameName.Subnet.ShouldNotBe(first.Subnet);
        (await Cluster.NodesAsync()).Count.ShouldBe(2);
    }

    [Fact]
    public async Task Register_WithoutASecret_IsRefusedWithWhatToDo()
    {
        var response = await RegisterAsync(FakeNode.Describe("worker-1", new FakeNodeOptions()) with { Secret = null });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("runs an older Canopy: upgrade it");
        (await Cluster.NodesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Register_UnknownIdOrOtherHost_GetsNewId()
    {
        var first = await RegisterOkAsync(FakeNode.Describe("worker-1", new FakeNodeOptions()));

        var unknown = await RegisterOkAsync(FakeNode.Describe("worker-2", new FakeNodeOptions(), id: "0123456789abcdef01234567"));
        var other = await RegisterOkAsync(FakeNode.Describe("worker-3", new FakeNodeOptions()));

        new[] { first.Id, unknown.Id, other.Id }.Distinct().Count().ShouldBe(3);
        unknown.Id.ShouldNotBe("0123456789abcdef01234567");
        unknown.Id.ShouldMatch("^[0-9a-f]{24}$");
    }

    private Task<HttpResponseMessage> RegisterAsync(NodeRegisterRequest request) =>
        Cluster.Http.PostAsJsonAsync("/api/node/register", request, CanopyJson.Options);

    private async Task<NodeRegisterResponse> RegisterOkAsync(NodeRegisterRequest request)
    {
        var response = await RegisterAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<NodeRegisterResponse>(CanopyJson.Options))!;
    }

    internal static async Task ShouldBeUnauthorizedAsync(HttpResponseMessage response, string detail)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("detail").GetString()!.ShouldContain(detail);
    }
}
