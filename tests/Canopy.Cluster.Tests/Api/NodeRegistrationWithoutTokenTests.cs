using System.Net.Http.Json;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;

namespace Canopy.Cluster.Tests.Api;

public sealed class NodeRegistrationWithoutTokenTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Register_ClusterWithoutNodeToken_RefusesEveryNodeAndSaysWhy()
    {
        await using var root = await FakeRoot.StartAsync();
        await using var cluster = await TestCluster.StartAsync(output, root, o => o.NodeJoinToken = "");

        var response = await cluster.Http.PostAsJsonAsync("/api/node/register", FakeNode.Describe("worker-1", new FakeNodeOptions(), ""), CanopyJson.Options);

        await NodeRegistrationTests.ShouldBeUnauthorizedAsync(response, "no node join token configured");
    }
}
