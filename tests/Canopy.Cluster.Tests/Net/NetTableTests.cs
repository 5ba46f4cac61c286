using System.Net;
using System.Net.Http.Json;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Net;
using Canopy.Contracts.Registration;
using Canopy.Core.States;

namespace Canopy.Cluster.Tests.Net;

/// <summary>
/// Each node's retained <c>nodes/&lt;id&gt;/net/table</c> on the cluster's real broker: what goes in, when it changes, and that it is
/// cleared when the node goes.
/// </summary>
public class NetTableTests(ITestOutputHelper output) : ClusterTest(output)
{
    [Fact]
    public async Task A_node_gets_its_applications_service_ips_and_the_other_nodes_running_instances_and_the_root_their_addresses()
    {
        await using var client = await StartNodeAsync("worker-1", 1);
        await using var server = await StartNodeAsync(
            "worker-2", 2, o => o with { Information = i => i with { Latency = new Dictionary<string, double> { ["a-peer"] = 0.42 } } });
        var web = NetNodes.Container("shop", "web", "worker-2", rrIp: "10.30.0.10");
        var caller = NetNodes.Exec("shop", "caller", "worker-1", "18080:80");

        await RunAsync(web, 0);
        await RunAsync(caller, 0);

        var address = NetNodes.ContainerAddress(server, 0);
        var table = (await client.WaitForNetTableAsync(
            t => Service(t, web)?.Instances.Count == 1 && Service(t, caller)?.Instances.Count == 1,
            "the web instance on worker-2 and its own caller instance"))!;
        var service = Service(table, web)!;
        (service.RrIp, service.JobName, service.ServiceName).ShouldBe(("10.30.0.10", web.JobName, "web"));
        var instance = service.Instances.ShouldHaveSingleItem();
        (instance.NodeId, instance.Address, instance.Ports.Count).ShouldBe((server.Id, address, 0));
        var peer = table.Peers.ShouldHaveSingleItem();
        (peer.NodeId, peer.Ip, peer.Subnet, peer.VtepMac, peer.OverlayPort, peer.ClusterId)
            .ShouldBe((server.Id, "192.0.2.2", server.Registration.Subnet, "02:00:00:00:00:02", 4789, FakeRoot.ClusterId));
        var exec = Service(table, caller)!.Instances.ShouldHaveSingleItem();
        (exec.Address, exec.Ports.ShouldHaveSingleItem()).ShouldBe(("192.0.2.1", new NetPort("tcp", 80, 18080)));

        var serverSide = (await server.WaitForNetTableAsync(t => Service(t, caller)?.Instances.Count == 1, "the caller instance on worker-1"))!;
        serverSide.Peers.ShouldHaveSingleItem().NodeId.ShouldBe(client.Id);
        await Root.WaitForStatusAsync(r => r.ServiceId == web.ServiceId && r.InstanceIp == address, "the web instance's address at the root");
        (await Cluster.InstancesAsync()).Single(i => i.ServiceId == web.ServiceId).InstanceIp.ShouldBe(address);
        var netNodes = await Root.WaitForAsync(LinkMessageTypes.NetNodes, m => m.Read<ClusterNetNodes>().Nodes.Count == 2);
        netNodes.Read<ClusterNetNodes>().Nodes.Select(n => n.NodeId).ShouldBe(new[] { client.Id, server.Id }.Order(StringComparer.Ordinal));
        var nodes = await Cluster.NodesAsync();
        var document = nodes.Single(n => n.Id == server.Id);
        document.Subnet.ShouldBe(server.Registration.Subnet);
        document.LatencyMs.ShouldNotBeNull()["a-peer"].ShouldBe(0.42);
    }

    [Fact]
    public async Task An_instance_that_leaves_running_leaves_the_table_and_each_table_has_a_higher_version()
    {
        await using var client = await StartNodeAsync("worker-1", 1);
        await using var server = await StartNodeAsync("worker-2", 2);
        var web = NetNodes.Container("shop", "web", "worker-2", rrIp: "10.30.0.10");
        await RunAsync(web, 0);
        await RunAsync(NetNodes.Exec("shop", "caller", "worker-1", "18080:80"), 0);
        var before = (await client.WaitForNetTableAsync(t => Service(t, web)?.Instances.Count == 1, "the web instance"))!;

        await server.ReportAsync(web.ServiceId, 0, InstanceStatus.Failed, "exit code 1");

        var after = (await client.WaitForNetTableAsync(t => Service(t, web) is not { Instances.Count: > 0 }, "no web instance"))!;
        after.Version.ShouldBeGreaterThan(before.Version);
        after.Peers.ShouldHaveSingleItem("worker-2 still hosts an instance of the application (failed): its replies would need the route");
    }

    [Fact]
    public async Task A_container_address_outside_its_nodes_subnet_is_not_routed_and_its_status_says_so()
    {
        await using var client = await StartNodeAsync("worker-1", 1);
        await using var liar = await StartNodeAsync("worker-2", 2, o => o with { InstanceIp = (_, _) => "10.18.200.9" });
        var web = NetNodes.Container("shop", "web", "worker-2");
        await RunAsync(web, 0);
        await RunAsync(NetNodes.Exec("shop", "caller", "worker-1", "18080:80"), 0);

        var report = await Root.WaitForStatusAsync(
            r => r.ServiceId == web.ServiceId && r.StatusDetail?.Contains("not routed") == true, "the unrouted address in the status detail");

        report.StatusDetail.ShouldNotBeNull().ShouldContain($"address 10.18.200.9 is outside node worker-2's subnet {liar.Registration.Subnet}; not routed");
        var table = (await client.WaitForNetTableAsync(t => t?.Services.Count == 2, "both services"))!;
        Service(table, web)!.Instances.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_node_that_leaves_gets_an_empty_retained_table_and_a_new_subscriber_gets_the_others_retained()
    {
        await using var staying = await StartNodeAsync("worker-1", 1);
        await using var leaving = await StartNodeAsync("worker-2", 2);
        var (observer, tables) = await NetNodes.ObserveAsync(Cluster);
        await using var _ = observer;
        await tables.WaitForAsync(t => t.NodeId == leaving.Id && t.Table is not null, "worker-2's retained table");

        using var left = await Cluster.Anonymous().PostAsJsonAsync(
            "/api/node/leave", new NodeLeaveRequest(leaving.Id, FakeNode.SecretOf("worker-2")), CanopyJson.Options);
        left.StatusCode.ShouldBe(HttpStatusCode.OK);

        await tables.WaitForAsync(t => t.NodeId == leaving.Id && t.Table is null, "an empty message on worker-2's table topic");
        var (late, lateTables) = await NetNodes.ObserveAsync(Cluster);
        await using var __ = late;
        await lateTables.WaitForAsync(t => t.NodeId == staying.Id && t.Table is not null, "worker-1's table, retained");
    }

    [Fact]
    public async Task A_node_that_comes_back_running_its_instances_never_gets_a_table_without_them()
    {
        // Its node engine crashes and starts again, its exec instance still running: the cluster counts it lost meanwhile.
        await using var caller = await StartNodeAsync("worker-1", 1, o => o with { ThroughCable = true });
        var service = NetNodes.Exec("shop", "web", "worker-1", "18080:80");
        await RunAsync(service, 0);
        await caller.WaitForNetTableAsync(t => Service(t, service)?.Instances.Count == 1, "the web instance in its own table");
        caller.Crash();
        await Root.WaitForStatusAsync(r => r.ServiceId == service.ServiceId && r.Status == InstanceStatus.NoQualifiedWorkerFound, "the instance waits for its node");

        var running = new InstanceReport
        {
            ServiceId = service.ServiceId,
            JobName = service.JobName,
            InstanceNumber = 0,
            Status = InstanceStatus.Running,
            InstanceIp = "192.0.2.1",
            Timestamp = DateTimeOffset.UtcNow,
        };
        await using var back = await FakeNode.StartAsync(Cluster, "worker-1", NetNodes.Options(1) with { Running = [running] });

        back.Id.ShouldBe(caller.Id);
        await Root.WaitForStatusAsync(
            r => r.ServiceId == service.ServiceId && r.Status == InstanceStatus.Running && r.NodeId == back.Id && r.Timestamp > running.Timestamp.AddSeconds(-1),
            "RUNNING again on the node that came back");
        await back.WaitForNetTableAsync(t => t?.Version > 0 && Service(t, service)?.Instances.Count == 1, "the web instance in its table");
        back.NetTables.Snapshot().ShouldAllBe(t => t != null && t.Services.Any(s => s.ServiceId == service.ServiceId && s.Instances.Count == 1),
            "the routes to an instance that never stopped are never withdrawn");
    }

    private async Task<FakeNode> StartNodeAsync(string host, int index, Func<FakeNodeOptions, FakeNodeOptions>? change = null)
    {
        var options = NetNodes.Options(index);
        var node = await FakeNode.StartAsync(Cluster, host, change?.Invoke(options) ?? options);
        await Waits.UntilAsync(async () => (await Cluster.NodesAsync()).Any(n => n.Id == node.Id && n.Active), $"node {host} is active");
        return node;
    }

    private async Task RunAsync(ServiceSpec spec, int instance)
    {
        await Root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, instance));
        await Root.WaitForStatusAsync(
            r => r.ServiceId == spec.ServiceId && r.InstanceNumber == instance && r.Status == InstanceStatus.Running, $"{spec.ServiceName} RUNNING");
    }

    private static NetService? Service(NodeNetTable? table, ServiceSpec spec) => table?.Services.FirstOrDefault(s => s.ServiceId == spec.ServiceId);
}
