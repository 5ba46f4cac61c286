using System.Net.Http.Json;
using System.Text.Json;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts.Link;
using Canopy.Core.Resources;
using Canopy.Core.States;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Cluster.Tests.RootLink;

public sealed class RootLinkTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Register_SendsNameTokenAndUrl_ThenHelloAndResources()
    {
        await using var root = await FakeRoot.StartAsync();
        await using var cluster = await TestCluster.StartAsync(output, root, o => o.Location = "48.1,11.6");

        await root.WaitForAsync(LinkMessageTypes.Resources);
        var registration = root.Registrations.Snapshot().ShouldHaveSingleItem();
        registration.ClusterName.ShouldBe("test-cluster");
        registration.ClusterLocation.ShouldBe("48.1,11.6");
        registration.ManagerUrl.ShouldBe(cluster.Options.Listen);
        var messages = root.Received.Snapshot();
        messages[0].Type.ShouldBe(LinkMessageTypes.Hello);
        messages[0].Read<ClusterHello>().ClusterId.ShouldBe(FakeRoot.ClusterId);
        messages[1].Type.ShouldBe(LinkMessageTypes.Resources);
        messages.Select(m => m.Seq).ShouldBeInOrder(SortDirection.Ascending);

        var status = await cluster.Http.GetFromJsonAsync<JsonElement>("/api/cluster/status");
        status.GetProperty("cluster_name").GetString().ShouldBe("test-cluster");
        status.GetProperty("cluster_id").GetString().ShouldBe(FakeRoot.ClusterId);
        status.GetProperty("connected_to_root").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Resources_CountActiveNodes_AndFollowChanges()
    {
        await using var root = await FakeRoot.StartAsync();
        await using var cluster = await TestCluster.StartAsync(output, root);

        await using var node = await FakeNode.StartAsync(cluster, "worker-1", new FakeNodeOptions { Vcpus = 8, MemoryTotal = 8192 });

        var resources = await root.WaitForAsync(
            LinkMessageTypes.Resources, m => ActiveNodes(m) == 1, TimeSpan.FromSeconds(5));
        var aggregate = resources.Read<ClusterResources>().Resources;
        ((double)aggregate[ResourceKeys.Vcpus]!).ShouldBe(8);
        ((long)aggregate[ResourceKeys.MemoryTotal]!).ShouldBe(8192);
    }

    [Fact]
    public async Task Reconnect_SendsHelloWithEveryInstance()
    {
        await using var root = await FakeRoot.StartAsync();
        await using var cluster = await TestCluster.StartAsync(output, root);
        await using var node = await FakeNode.StartAsync(cluster, "worker-1");
        var spec = Specs.Exec();
        await root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 0));
        await root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running, "RUNNING at the root");

        root.DropLink();

        var hello = await root.WaitForAsync(
            LinkMessageTypes.Hello, m => m.Read<ClusterHello>().Instances.Any(i => i.ServiceId == spec.ServiceId));
        var instance = hello.Read<ClusterHello>().Instances.ShouldHaveSingleItem();
        instance.Status.ShouldBe(InstanceStatus.Running);
        instance.NodeId.ShouldBe(node.Id);
        instance.JobName.ShouldBe(spec.JobName);
        root.LinkConnections.ShouldBe(2);
    }

    [Fact]
    public async Task BadRootToken_ClusterKeepsRunningUnregistered()
    {
        await using var root = await FakeRoot.StartAsync();

        await using var cluster = await TestCluster.StartAsync(output, root, o =>
        {
            o.RootJoinToken = "wrong";
            o.SubnetWaitForRoot = TimeSpan.Zero;
        }, waitForRoot: false);

        await root.Registrations.WaitForAsync(r => r.JoinToken == "wrong", "a registration attempt");
        var readiness = cluster.Services.GetRequiredService<ClusterReadiness>();
        readiness.Registered.IsCompleted.ShouldBeFalse();
        readiness.ConnectedToRoot.ShouldBeFalse();

        // Nodes are served without the root.
        await using var node = await FakeNode.StartAsync(cluster, "worker-1");
        (await cluster.NodesAsync()).ShouldHaveSingleItem();
    }

    private static int ActiveNodes(LinkMessage message) =>
        message.Read<ClusterResources>().Resources[ResourceKeys.ActiveNodes]?.GetValue<int>() ?? -1;
}
