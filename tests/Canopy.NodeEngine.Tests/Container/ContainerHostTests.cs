using System.Diagnostics;
using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Core.States;
using Canopy.Cri;
using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes.Container;
using Canopy.NodeEngine.Tests.Support;
using Canopy.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Canopy.NodeEngine.Tests.Container;

/// <summary>
/// The whole node engine with containers: the subnet comes from the registration, the node reports <c>container</c>
/// once its runtime is ready, runs a container deployed over MQTT, and a restarted node engine adopts it.
/// It runs over a data dir (and so a containerd) of its own: its inventory holds what it deployed and nothing another test
/// left in a shared one. In the containerd collection only so as not to compete with the other container tests.
/// </summary>
[Collection(ContainerdCollection.Name)]
public sealed class ContainerHostTests(ContainerdFixture node, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("cnp-host-").FullName;
    private readonly ListLogger _logs = new();
    private TestBroker _broker = null!;
    private FakeCluster _cluster = null!;
    private ClusterObserver _observer = null!;
    private CriClient? _cri;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync();
        _cluster = new FakeCluster(_broker.Port, ContainerdFixture.FreeSubnet(avoid: node.Options.Subnet));
        _observer = await ClusterObserver.ConnectAsync(_broker.Port);
    }

    public async Task DisposeAsync()
    {
        output.WriteLine(_logs.Tail(60));
        _cri?.Dispose();
        await _observer.DisposeAsync();
        await _cluster.DisposeAsync();
        await _broker.DisposeAsync();
        if (ContainerdProcess.FindRunning(new ContainerdPaths(Path.Combine(_dataDir, "containerd"))) is { } pid)
        {
            await ContainerdProcess.StopAsync(pid, TimeSpan.FromSeconds(5), CancellationToken.None);
        }

        MachineCleanup.ForDataDir(_dataDir);
    }

    [Fact]
    public async Task A_node_reports_container_runs_one_from_mqtt_and_adopts_it_after_a_restart()
    {
        var serviceId = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(serviceId, 0);
        var port = Ports.Free();
        var spec = ContainerdFixture.Spec(serviceId, $"{port}:8080", "sh", "-c", "echo started-in-a-container; exec httpd -f -p 8080 -h /www");

        var (host, nodeId) = await StartNodeAsync();
        var info = await _observer.WaitForAsync<NodeInformation>(
            NodeTopics.Information(nodeId), i => i.Virtualization.Contains("container"), "container in the heartbeat", TimeSpan.FromSeconds(60));
        // The wasm host is built next to the tests and QEMU may be installed: this node offers those too, or says why not.
        info.Virtualization.ShouldContain("exec");
        info.UnavailableRuntimes?.Keys.ShouldNotContain("container");
        _cri = new CriClient(Path.Combine(_dataDir, "containerd", "containerd.sock"));

        var watch = Stopwatch.StartNew();
        await _observer.SendAsync(NodeTopics.ControlDeploy(nodeId), new DeployCommand(spec, 0));
        var running = await _observer.WaitForAsync<InstanceReport>(
            NodeTopics.Job(nodeId), r => r.ServiceId == serviceId && r.Status == InstanceStatus.Running, "RUNNING");
        output.WriteLine($"control/deploy -> RUNNING on job in {watch.ElapsedMilliseconds} ms");
        running.HostPort.ShouldBe(port.ToString());
        (await Http.GetEventuallyAsync(port, "/")).ShouldContain(ContainerdFixture.Page);
        var container = (await ContainersOfAsync(key)).ShouldHaveSingleItem();

        await _observer.SendAsync(NodeTopics.ControlLogs(nodeId), new LogsRequest("logs-1", serviceId, 0, 10));
        (await _observer.WaitForAsync<LogsResult>(NodeTopics.Logs(nodeId), l => l.RequestId == "logs-1", "the logs"))
            .Text.ShouldContain("started-in-a-container");
        await _observer.WaitForAsync<JobsResources>(
            NodeTopics.JobsResources(nodeId), j => j.Services.Any(s => s.ServiceId == serviceId && s.Memory > 0), "the container's memory");

        // Stopping the node engine leaves the container running; the next one adopts it.
        await host.StopAsync(TimeSpan.FromSeconds(15));
        host.Dispose();
        (await ContainersOfAsync(key)).ShouldHaveSingleItem().State.ShouldBe(Cri.V1.ContainerState.ContainerRunning);
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
        (await ContainersOfAsync(key)).ShouldHaveSingleItem().Id.ShouldBe(container.Id);
        _observer.On<InstanceReport>(NodeTopics.Job(nodeId)).Skip(jobCount)
            .ShouldNotContain(r => r.ServiceId == serviceId && r.Status == InstanceStatus.Creating, "no restart");

        await _observer.SendAsync(NodeTopics.ControlDelete(nodeId), new DeleteCommand(serviceId, -1));
        await _observer.WaitForAsync<InstanceReport>(
            NodeTopics.Job(nodeId), r => r.ServiceId == serviceId && r.Status == InstanceStatus.Undeployed, "UNDEPLOYED");
        (await ContainersOfAsync(key)).ShouldBeEmpty();
        (await _cri.ListPodSandboxAsync(ContainerLabels.InstanceSelector(NodeKey.Of(_dataDir), key), CancellationToken.None)).ShouldBeEmpty();
        await host.StopAsync(TimeSpan.FromSeconds(15));
        host.Dispose();
    }

    private async Task<IReadOnlyList<Cri.V1.Container>> ContainersOfAsync(InstanceKey key) =>
        await _cri!.ListContainersAsync(ContainerLabels.InstanceSelector(NodeKey.Of(_dataDir), key), CancellationToken.None);

    private async Task<(IHost Host, string NodeId)> StartNodeAsync()
    {
        var options = new NodeEngineOptions
        {
            DataDir = _dataDir,
            ClusterUrl = _cluster.Url,
            JoinToken = FakeCluster.Token,
            Name = "container-host",
            InformationInterval = TimeSpan.FromMilliseconds(200),
            StopGracePeriod = TimeSpan.FromSeconds(2),
        };
        var host = NodeEngineHost.Create(options, b =>
        {
            b.Logging.ClearProviders();
            b.Logging.AddProvider(_logs);
        });
        await host.StartAsync();
        var readiness = host.Services.GetRequiredService<NodeReadiness>();
        await readiness.Connected.WaitAsync(TimeSpan.FromSeconds(60));
        return (host, readiness.NodeId!);
    }
}
