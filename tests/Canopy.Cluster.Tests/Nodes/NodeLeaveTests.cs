using System.Net;
using System.Net.Http.Json;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Contracts.Registration;
using Canopy.Core.Resources;
using Canopy.Core.States;
using Canopy.Mqtt;

namespace Canopy.Cluster.Tests.Nodes;

/// <summary>A node that leaves for good (`canopy node --leave`, proved by its own secret), and a node that says why it cannot run a runtime.</summary>
public sealed class NodeLeaveTests(ITestOutputHelper output) : ClusterTest(output)
{
    [Fact]
    public async Task A_node_that_proves_itself_leaves_its_instances_move_and_its_broker_account_is_gone()
    {
        await using var leaving = await FakeNode.StartAsync(Cluster, "leaving");
        await WaitUntilActiveAsync(leaving);
        var spec = Specs.Exec();
        await Root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 0));
        await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running && r.NodeId == leaving.Id, "RUNNING on the leaving node");
        await using var staying = await FakeNode.StartAsync(Cluster, "staying");
        await WaitUntilActiveAsync(staying);
        using var anonymous = Cluster.Anonymous();

        using var unknown = await LeaveAsync(anonymous, "0123456789abcdef01234567", FakeNode.SecretOf("leaving"));
        using var impostor = await LeaveAsync(anonymous, leaving.Id, FakeNode.SecretOf("staying"));
        using var left = await LeaveAsync(anonymous, leaving.Id, FakeNode.SecretOf("leaving"));

        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        impostor.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await impostor.Content.ReadAsStringAsync()).ShouldContain("does not prove it is node");
        left.StatusCode.ShouldBe(HttpStatusCode.OK, await left.Content.ReadAsStringAsync());
        (await left.Content.ReadFromJsonAsync<MessageResponse>(CanopyJson.Options))!.Message.ShouldContain("left the cluster");
        await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running && r.NodeId == staying.Id, "RUNNING on the node that stays");
        (await Cluster.NodesAsync()).ShouldHaveSingleItem().Id.ShouldBe(staying.Id);
        await using var again = FakeNode.BrokerClient(Cluster, leaving.Registration.Mqtt, "after-leave");
        await Waits.UntilAsync(async () =>
        {
            try
            {
                await again.ConnectAsync(CancellationToken.None);
                await again.DisconnectAsync(CancellationToken.None);
                return false;
            }
            catch (MqttConnectException e) when (e.Result is MqttConnectResult.BadUsernameOrPassword or MqttConnectResult.NotAuthorized)
            {
                return true;
            }
        }, "the broker refuses the account of the node that left");
    }

    [Fact]
    public async Task A_runtime_the_node_cannot_use_is_listed_with_why_and_a_placement_that_needs_it_says_it()
    {
        const string why = "the pause image needs a statically linked busybox, but /bin/busybox is dynamically linked";
        await using var node = await FakeNode.StartAsync(Cluster, "no-containers", new FakeNodeOptions
        {
            Information = i => i with { UnavailableRuntimes = new Dictionary<string, string> { ["container"] = why } },
        });
        await WaitUntilActiveAsync(node);

        await Waits.UntilAsync(
            async () => (await Cluster.NodesAsync()).Single().UnavailableRuntimes?.GetValueOrDefault("container") == why, "the reason in the node list");
        var resources = await Root.WaitForAsync(LinkMessageTypes.Resources,
            m => m.Read<ClusterResources>().Resources[ResourceKeys.UnavailableRuntimes] is not null, TimeSpan.FromSeconds(10));
        resources.Read<ClusterResources>().Resources[ResourceKeys.UnavailableRuntimes]!["container"]!.GetValue<string>()
            .ShouldBe($"node no-containers: {why}");

        await Root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(Specs.Exec() with { Virtualization = "container", Code = "busybox" }, 0));

        var refused = await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.NoQualifiedWorkerFound, "NO_QUALIFIED_WORKER_FOUND");
        refused.StatusDetail.ShouldNotBeNull().ShouldContain($"no-containers has no usable container runtime ({why})");
    }

    private static Task<HttpResponseMessage> LeaveAsync(HttpClient http, string id, string secret) =>
        http.PostAsJsonAsync("/api/node/leave", new NodeLeaveRequest(id, secret), CanopyJson.Options);

    private Task WaitUntilActiveAsync(FakeNode node) =>
        Waits.UntilAsync(async () => (await Cluster.NodesAsync()).Any(n => n.Id == node.Id && n.Active), $"node {node.Host} is active");
}
