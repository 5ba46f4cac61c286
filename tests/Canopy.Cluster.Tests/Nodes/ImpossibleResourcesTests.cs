using Canopy.Cluster.Tests.Support;
using Canopy.Contracts.Link;
using Canopy.Core.Resources;
using Canopy.Core.States;

namespace Canopy.Cluster.Tests.Nodes;

/// <summary>A registered node that reports impossible resources ("Many machines, many clusters": bad input).</summary>
public sealed class ImpossibleResourcesTests(ITestOutputHelper output)
{
    [Fact]
    public async Task NegativeMemoryAndCpu_AreNotPassedOn_AndTheClusterKeepsScheduling()
    {
        await using var root = await FakeRoot.StartAsync();
        await using var cluster = await TestCluster.StartAsync(output, root);
        await using var good = await FakeNode.StartAsync(cluster, "worker-1", new FakeNodeOptions { Vcpus = 4, MemoryTotal = 4096 });
        await using var bad = await FakeNode.StartAsync(cluster, "worker-2", new FakeNodeOptions
        {
            Vcpus = 4,
            MemoryTotal = 4096,
            Information = i => i with { Vcpus = -2, Memory = -5000, MemoryTotal = -4096, CpuPercent = -50, MemoryPercent = 250 },
        });

        // Several heartbeats of both nodes later, the aggregate the root gets: the registered capacity, no negative amounts.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var resources = await root.WaitForAsync(LinkMessageTypes.Resources,
            m => m.Read<ClusterResources>().Resources[ResourceKeys.ActiveNodes]?.GetValue<int>() == 2, TimeSpan.FromSeconds(10));
        var aggregate = resources.Read<ClusterResources>().Resources;
        output.WriteLine(aggregate.ToJsonString());
        aggregate[ResourceKeys.Vcpus]!.GetValue<double>().ShouldBe(8);
        aggregate[ResourceKeys.MemoryTotal]!.GetValue<long>().ShouldBe(8192);
        aggregate[ResourceKeys.Memory]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(3996);
        aggregate[ResourceKeys.CpuPercent]!.GetValue<double>().ShouldBeInRange(0, 100);
        aggregate[ResourceKeys.MemoryPercent]!.GetValue<double>().ShouldBeInRange(0, 100);

        var nodes = await cluster.NodesAsync();
        var listed = nodes.Single(n => n.Name == "worker-2");
        listed.Active.ShouldBeTrue();
        listed.Memory.ShouldBeGreaterThanOrEqualTo(0);
        listed.MemoryTotal.ShouldBe(4096);
        listed.Vcpus.ShouldBe(4);
        listed.CpuPercent.ShouldBeGreaterThanOrEqualTo(0);
        listed.MemoryPercent.ShouldBeInRange(0, 100);

        // The cluster still places: two instances of 3000 MB go one to each node (the bad one counts with its registered 4096 MB).
        var spec = Specs.Exec(memory: 3000);
        await root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 0));
        await root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 1));
        await root.WaitForStatusAsync(r => r.InstanceNumber == 0 && r.Status == InstanceStatus.Running, "instance 0 RUNNING");
        await root.WaitForStatusAsync(r => r.InstanceNumber == 1 && r.Status == InstanceStatus.Running, "instance 1 RUNNING");
        (await cluster.InstancesAsync()).Select(i => i.NodeId).Order().ShouldBe(new[] { good.Id, bad.Id }.Order());
    }
}
