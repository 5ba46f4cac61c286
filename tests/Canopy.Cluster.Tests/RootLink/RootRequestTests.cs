using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Core.States;

namespace Canopy.Cluster.Tests.RootLink;

/// <summary>The root's <c>request</c> messages: node list and instance logs (a round trip to the node).</summary>
public sealed class RootRequestTests(ITestOutputHelper output) : ClusterTest(output)
{

    [Fact]
    public async Task Logs_RoundTripThroughTheNode()
    {
        await using var node = await FakeNode.StartAsync(Cluster, "worker-1");
        var spec = Specs.Exec();
        await Root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 0));
        await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running, "RUNNING at the root");

        var args = new JsonObject { ["service_id"] = spec.ServiceId, ["instance_number"] = 0, ["tail"] = 10 };
        await Root.SendAsync(LinkMessageTypes.Request, new LinkRequest("req-logs-1", LinkRequestKinds.Logs, args));

        var response = await WaitForResponseAsync("req-logs-1");
        response.Ok.ShouldBeTrue(response.Error);
        response.Body!.Value.GetProperty("text").GetString().ShouldBe($"log of {spec.ServiceId}.0 on worker-1 (tail 10)");
        node.Commands.Snapshot().ShouldContain(c => c.Kind == "logs");
    }

    [Fact]
    public async Task Logs_UnknownInstance_AnswersWithError()
    {
        var args = new JsonObject { ["service_id"] = "00000000000000000000dead", ["instance_number"] = 0 };
        await Root.SendAsync(LinkMessageTypes.Request, new LinkRequest("req-logs-2", LinkRequestKinds.Logs, args));

        var response = await WaitForResponseAsync("req-logs-2");
        response.Ok.ShouldBeFalse();
        response.Error!.ShouldContain("not on this cluster");
    }

    [Fact]
    public async Task Nodes_ListsNodesWithClusterAndInstanceCounts()
    {
        await using var node = await FakeNode.StartAsync(Cluster, "worker-1");
        await Root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(Specs.Exec(), 0));
        await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running, "RUNNING at the root");

        await Root.SendAsync(LinkMessageTypes.Request, new LinkRequest("req-nodes", LinkRequestKinds.Nodes, null));

        var response = await WaitForResponseAsync("req-nodes");
        response.Ok.ShouldBeTrue(response.Error);
        var nodes = response.Body!.Value.Deserialize<List<NodeDocument>>(CanopyJson.Options)!;
        var listed = nodes.ShouldHaveSingleItem();
        listed.Id.ShouldBe(node.Id);
        listed.Name.ShouldBe("worker-1");
        listed.ClusterId.ShouldBe(FakeRoot.ClusterId);
        listed.ClusterName.ShouldBe("test-cluster");
        listed.Active.ShouldBeTrue();
        listed.Instances.ShouldBe(1);
    }

    private async Task<LinkResponse> WaitForResponseAsync(string requestId)
    {
        var message = await Root.WaitForAsync(LinkMessageTypes.Response, m => m.Read<LinkResponse>().RequestId == requestId);
        return message.Read<LinkResponse>();
    }
}
