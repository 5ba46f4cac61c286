using System.Diagnostics;
using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Canopy.NodeEngine.Tests.Container;

/// <summary>
/// The whole node engine with containers: the subnet comes from the registration, the node reports <c>container</c>
/// once its runtime is ready, runs a container deployed over MQTT, and a restarted node engine adopts it.
/// Runs over the fixture's data dir, so its containerd (started by the fixture's runtime) is re-used, not started again.
/// </summary>
[Collection(ContainerdCollection.Name)]
public sealed class ContainerHostTests(ContainerdFixture node, ITestOutputHelper output) : IAsyncLifetime
{
    private TestBroker _broker = null!;
    private FakeCluster _cluster = null!;
    private ClusterObserver _observer = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync();
        _cluster = new FakeCluster(_broker.Port, node.Options.Subnet);
        _observer = await ClusterObserver.ConnectAsync(_broker.Port);
    }

    public async Task DisposeAsync()
    {
        await _observer.DisposeAsync();
        await _cluster.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task A_node_reports_container_runs_one_from_mqtt_and_adopts_it_after_a_restart()
    {
        var serviceId = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(serviceId, 0);
        var port = Ports.Free();
        var spec = ContainerdFixture.Spec(serviceId, $"{port}:8080", "sh", "-c", "echo started-in-a-container; exec httpd -f -p 8080 -h /www");

        // The fixture's runtime steps aside: one runtime per data dir.
        await node.Runtime.DisposeAsync();
        try
        {
            var (host, nodeId) = await StartNodeAsync();
            var info = await _observer.WaitForAsync<NodeInformation>(
                NodeTopics.Information(nodeId), i => i.Virtualization.Contains("container"), "container in the heartbeat");
            info.Virtualization.ShouldBe(["exec", "container"]);

            var watch = Stopwatch.StartNew();
            await _observer.SendAsync(NodeTopics.ControlDeploy(nodeId), new DeployCommand(spec, 0));
            var running = await _observer.WaitForAsync<InstanceReport>(
                NodeTopics.Job(nodeId), r => r.ServiceId == serviceId && r.Status == InstanceStatus.Running, "RUNNING");
            output.WriteLine($"control/deploy -> RUNNING on job in {watch.ElapsedMilliseconds} ms");
            running.HostPort.ShouldBe(port.ToString());
            (await Http.GetEventuallyAsync(port, "/")).ShouldContain(ContainerdFixture.Page);
            var container = (await node.ContainersOf(key)).ShouldHaveSingleItem();

            await _observer.SendAsync(NodeTopics.ControlLogs(nodeId), new LogsRequest("logs-1", serviceId, 0, 10));
            (await _observer.WaitForAsync<LogsResult>(NodeTopics.Logs(nodeId), l => l.RequestId == "logs-1", "the logs"))
                .Text.ShouldContain("started-in-a-container");
            await _observer.WaitForAsync<JobsResources>(
                NodeTopics.JobsResources(nodeId), j => j.Services.Any(s => s.ServiceId == serviceId && s.Memory > 0), "the container's memory");

            // Stopping the node engine leaves the container running; the next one adopts it.
            await host.StopAsync(TimeSpan.FromSeconds(15));
            host.Dispose();
            (await node.ContainersOf(key)).ShouldHaveSingleItem().State.ShouldBe(Cri.V1.ContainerState.ContainerRunning);
            (await Http.GetEventuallyAsync(port, "/")).ShouldContain(ContainerdFixture.Page);

            var jobCount = _observer.On<InstanceReport>(NodeTopics.Job(nodeId)).Count();
            var inventoryCount = _observer.On<JobsResources>(NodeTopics.JobsResources(nodeId)).Count();
            (host, _) = await StartNodeAsync();
            var inventory = await Eventually.Until(
                () => _observer.On<JobsResources>(NodeTopics.JobsResources(nodeId)).Skip(inventoryCount).FirstOrDefault(),
                j => j is not null,
                "the first inventory of the restarted node engine");
            var adopted = inventory.Services.ShouldHaveSingleItem();
            adopted.ServiceId.ShouldBe(serviceId);
            adopted.Status.ShouldBe(InstanceStatus.Running);
            adopted.RestartCount.ShouldBe(0);
            (await node.ContainersOf(key)).ShouldHaveSingleItem().Id.ShouldBe(container.Id);
            _observer.On<InstanceReport>(NodeTopics.Job(nodeId)).Skip(jobCount)
                .ShouldNotContain(r => r.ServiceId == serviceId && r.Status == InstanceStatus.Creating, "no restart");

            await _observer.SendAsync(NodeTopics.ControlDelete(nodeId), new DeleteCommand(serviceId, -1));
            await _observer.WaitForAsync<InstanceReport>(
                NodeTopics.Job(nodeId), r => r.ServiceId == serviceId && r.Status == InstanceStatus.Undeployed, "UNDEPLOYED");
            (await node.ContainersOf(key)).ShouldBeEmpty();
            (await node.SandboxesOf(key)).ShouldBeEmpty();
            await host.StopAsync(TimeSpan.FromSeconds(15));
            host.Dispose();
        }
        finally
        {
            output.WriteLine(node.Logs.Tail(60));
            await node.ReplaceRuntimeAsync();
            await node.Runtime.RemoveAsync(key, CancellationToken.None);
        }
    }

    private async Task<(IHost Host, string NodeId)> StartNodeAsync()
    {
        var options = new NodeEngineOptions
        {
            DataDir = node.DataDir,
            ClusterUrl = _cluster.Url,
            JoinToken = FakeCluster.Token,
            Name = "container-host",
            InformationInterval = TimeSpan.FromMilliseconds(200),
            StopGracePeriod = TimeSpan.FromSeconds(2),
        };
        var host = NodeEngineHost.Create(options, b =>
        {
            b.Logging.ClearProviders();
            b.Logging.AddProvider(node.Logs);
        });
        await host.StartAsync();
        var readiness = host.Services.GetRequiredService<NodeReadiness>();
        await readiness.Connected.WaitAsync(TimeSpan.FromSeconds(60));
        return (host, readiness.NodeId!);
    }
}
