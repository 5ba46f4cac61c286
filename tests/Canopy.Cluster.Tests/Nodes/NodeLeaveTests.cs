using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Mqtt;
using Canopy.Core.Resources;
using Canopy.Core.States;
using Canopy.Mqtt;

namespace Canopy.Cluster.Tests.Nodes;

/// <summary>A node that leaves for good (`canopy node --leave`), and a node that says why it cannot run a runtime.</summary>
public sealed class NodeLeaveTests(ITestOutputHelper output) : ClusterTest(output)
{
    [Fact]
    public async Task A_leaving_node_is_told_it_left_its_instances_move_and_its_broker_account_is_gone()
    {
        await using var leaving = await FakeNode.StartAsync(Cluster, "leaving");
        await WaitUntilActiveAsync(leaving);
        var spec = Specs.Exec();
        await Root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 0));
        await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running && r.NodeId == leaving.Id, "RUNNING on the leaving node");
        await using var staying = await FakeNode.StartAsync(Cluster, "staying");
        await WaitUntilActiveAsync(staying);

        await leaving.Client.PublishAsync(NodeTopics.Leave(leaving.Id), "{}"u8.ToArray());

        await leaving.Commands.WaitForAsync(c => c.Kind == "left", "control/left");
        await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running && r.NodeId == staying.Id, "RUNNING on the node that stays");
        (await Cluster.NodesAsync()).ShouldHaveSingleItem().Id.ShouldBe(staying.Id);
        var again = new MqttClient(new MqttClientOptions
        {
            Host = leaving.Registration.Mqtt.Host,
            Port = leaving.Registration.Mqtt.Port,
            ClientId = "after-leave",
            Username = leaving.Registration.Mqtt.Username,
            Password = leaving.Registration.Mqtt.Password,
        });
        await using (again)
        {
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

    private Task WaitUntilActiveAsync(FakeNode node) =>
        Waits.UntilAsync(async () => (await Cluster.NodesAsync()).Any(n => n.Id == node.Id && n.Active), $"node {node.Host} is active");
}
