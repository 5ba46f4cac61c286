using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Core.States;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.NetManager;
using Canopy.NodeEngine.Runtimes.Exec;
using Canopy.NodeEngine.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Tests.Link;

/// <summary>The whole node engine against a real broker and a stand-in for the cluster's registration endpoint.</summary>
public sealed class NodeEngineHostTests : IAsyncLifetime
{
    private readonly string _dataDir;
    private TestBroker _broker = null!;
    private FakeCluster _cluster = null!;
    private ClusterObserver _observer = null!;
    private readonly List<IHost> _hosts = [];

    public NodeEngineHostTests()
    {
        Prerequisites.Check();
        _dataDir = Directory.CreateTempSubdirectory("canopy-ne-host-").FullName;
    }

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync();
        _cluster = new FakeCluster(_broker.Port);
        _observer = await ClusterObserver.ConnectAsync(_broker.Port);
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync(TimeSpan.FromSeconds(10));
            host.Dispose();
        }

        // Whatever the node engine left running (it leaves instances by design) is removed here.
        await using (var runtime = new ExecRuntime(Options(), CgroupLayout.Detect(), new InstanceHosts(Options()), new NodeFacts(Options())))
        {
            await runtime.RecoverAsync(CancellationToken.None);
            var reports = new List<InstanceReport>();
            runtime.CollectReports(reports);
            foreach (var report in reports)
            {
                await runtime.RemoveAsync(new(report.ServiceId, report.InstanceNumber), CancellationToken.None);
            }
        }

        await _observer.DisposeAsync();
        await _cluster.DisposeAsync();
        await _broker.DisposeAsync();

        // The node's overlay (VXLAN device, nftables table) outlives a stop like its instances: it goes with the data dir.
        Canopy.Testing.MachineCleanup.ForDataDir(_dataDir);
    }

    private NodeEngineOptions Options(bool stopInstances = false) => new()
    {
        DataDir = _dataDir,
        ClusterUrl = _cluster.Url,
        JoinToken = FakeCluster.Token,
        Name = "edge-1",
        Location = "48.1,11.6",
        InformationInterval = TimeSpan.FromMilliseconds(200),
        StopGracePeriod = TimeSpan.FromSeconds(2),
        StopInstancesOnShutdown = stopInstances,

        // Exec only here: the container runtime has its own host test (Container/ContainerHostTests) with a managed containerd,
        // the wasm and vm runtimes their own tests (Wasm/, Vm/).
        StartContainerd = false,
        WasmHostPath = "/nonexistent/canopy-wasm",
        QemuPath = "/nonexistent/qemu-system-x86_64",
        Resources = new() { ["gpu_count"] = "1", ["labels"] = "ssd,camera" },
    };

    private async Task<(IHost Host, string NodeId)> StartNodeAsync(bool stopInstances = false, Action<NodeEngineOptions>? tweak = null)
    {
        var options = Options(stopInstances);
        tweak?.Invoke(options);
        var host = NodeEngineHost.Create(options, b => b.Logging.ClearProviders());
        _hosts.Add(host);
        await host.StartAsync();
        var readiness = host.Services.GetRequiredService<NodeReadiness>();
        await readiness.Connected.WaitAsync(TimeSpan.FromSeconds(20));
        return (host, readiness.NodeId!);
    }

    private static ServiceSpec SleepSpec(string serviceId) =>
        ExecHarness.Shell(serviceId, "echo started-by-canopy; exec sleep 300") with { Memory = 64 };

    [Fact]
    public async Task A_cluster_with_several_addresses_is_registered_at_the_first_that_answers()
    {
        // The first address is where the cluster ran before it moved: nothing listens there any more.
        var (_, id) = await StartNodeAsync(tweak: o => o.ClusterUrl = $"http://127.0.0.1:{Canopy.Testing.FreePort.Next()}, {_cluster.Url}");

        id.ShouldBe(_cluster.AssignedId);
        _cluster.Registrations.ShouldHaveSingleItem().Host.ShouldBe("edge-1");
    }

    [Fact]
    public async Task Registers_reports_and_obeys_the_cluster()
    {
        var (host, id) = await StartNodeAsync();

        id.ShouldBe(_cluster.AssignedId);
        var registration = _cluster.Registrations.ShouldHaveSingleItem();
        registration.Host.ShouldBe("edge-1");
        registration.Id.ShouldBeNull();
        registration.Virtualization.ShouldBe(["exec"]);
        registration.Location.ShouldBe("48.1,11.6");
        registration.Vcpus.ShouldBe(Environment.ProcessorCount);
        registration.MemoryTotal.ShouldBeGreaterThan(0);
        registration.SystemInfo.ShouldNotBeNull().ShouldContainKey("kernel_version");
        registration.Extra.ShouldNotBeNull()["gpu_count"].GetInt32().ShouldBe(1);
        var identityFile = Path.Combine(_dataDir, "node.json");
        File.ReadAllText(identityFile).ShouldContain(id);
        registration.Secret.ShouldNotBeNull().Length.ShouldBeGreaterThanOrEqualTo(Secrets.MinLength);
        File.ReadAllText(identityFile).ShouldContain(registration.Secret);
        File.GetUnixFileMode(identityFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await _observer.WaitForAsync<NodeStatus>(NodeTopics.Status(id), s => s.Status == NodeStatus.Online, "online");
        var info = await _observer.WaitForAsync<NodeInformation>(NodeTopics.Information(id), _ => true, "a heartbeat");
        info.Vcpus.ShouldBe(Environment.ProcessorCount);
        info.MemoryTotal.ShouldBeGreaterThan(0);
        info.Virtualization.ShouldBe(["exec"]);
        info.Extra.ShouldNotBeNull()["labels"].GetString().ShouldBe("ssd,camera");

        // deploy → CREATING, RUNNING on "job"; the inventory carries it with metrics
        var serviceId = ExecHarness.NewServiceId();
        await _observer.SendAsync(NodeTopics.ControlDeploy(id), new DeployCommand(SleepSpec(serviceId), 0));
        var running = await _observer.WaitForAsync<InstanceReport>(
            NodeTopics.Job(id), r => r.ServiceId == serviceId && r.Status == InstanceStatus.Running, "RUNNING");
        running.NodeId.ShouldBe(id);
        running.NodeName.ShouldBe("edge-1");
        running.Pid.ShouldNotBeNull();
        running.InstanceIp.ShouldBe(info.Ip, "an exec instance shares its node's address");
        var inventory = await _observer.WaitForAsync<JobsResources>(
            NodeTopics.JobsResources(id), j => j.Services.Any(s => s.ServiceId == serviceId && s.Memory is not null), "the instance with metrics");
        var listed = inventory.Services.Single(s => s.ServiceId == serviceId);
        listed.Status.ShouldBe(InstanceStatus.Running);
        listed.Pid.ShouldBe(running.Pid);
        listed.MemoryPercent.ShouldNotBeNull();
        listed.InstanceIp.ShouldBe(info.Ip);

        // deploying it again never duplicates it
        await _observer.SendAsync(NodeTopics.ControlDeploy(id), new DeployCommand(SleepSpec(serviceId), 0));
        await Eventually.True(
            () => _observer.On<InstanceReport>(NodeTopics.Job(id)).Count(r => r.ServiceId == serviceId && r.Status == InstanceStatus.Running) >= 2,
            "the re-report");
        _observer.On<InstanceReport>(NodeTopics.Job(id)).Where(r => r.ServiceId == serviceId).Select(r => r.Pid).Distinct()
            .Where(p => p is not null).ShouldHaveSingleItem();

        // logs
        await _observer.SendAsync(NodeTopics.ControlLogs(id), new LogsRequest("req-1", serviceId, 0, 10));
        var logs = await _observer.WaitForAsync<LogsResult>(NodeTopics.Logs(id), l => l.RequestId == "req-1", "the logs");
        logs.Text.ShouldContain("started-by-canopy");
        logs.Error.ShouldBeNull();

        // delete all instances of the service, and an unknown one
        await _observer.SendAsync(NodeTopics.ControlDelete(id), new DeleteCommand(serviceId, -1));
        await _observer.WaitForAsync<InstanceReport>(
            NodeTopics.Job(id), r => r.ServiceId == serviceId && r.Status == InstanceStatus.Undeployed, "UNDEPLOYED");
        Procs.GroupExists(running.Pid!.Value).ShouldBeFalse();
        await _observer.SendAsync(NodeTopics.ControlDelete(id), new DeleteCommand("feedfeedfeedfeedfeedfeed", 5, "a.b.c.d"));
        var forgotten = await _observer.WaitForAsync<InstanceReport>(
            NodeTopics.Job(id), r => r.ServiceId == "feedfeedfeedfeedfeedfeed", "UNDEPLOYED for an unknown instance");
        forgotten.Status.ShouldBe(InstanceStatus.Undeployed);
        forgotten.InstanceNumber.ShouldBe(5);

        // a clean stop says offline
        await host.StopAsync();
        await _observer.WaitForAsync<NodeStatus>(NodeTopics.Status(id), s => s.Status == NodeStatus.Offline, "offline");
    }

    [Fact]
    public async Task A_restarted_node_engine_keeps_its_id_and_adopts_its_instances()
    {
        var (first, id) = await StartNodeAsync();
        var serviceId = ExecHarness.NewServiceId();
        await _observer.SendAsync(NodeTopics.ControlDeploy(id), new DeployCommand(SleepSpec(serviceId), 0));
        var running = await _observer.WaitForAsync<InstanceReport>(
            NodeTopics.Job(id), r => r.ServiceId == serviceId && r.Status == InstanceStatus.Running, "RUNNING");

        await first.StopAsync();
        Procs.IsAlive(running.Pid!.Value).ShouldBeTrue("instances outlive the node engine by default");
        _observer.Messages.Clear();

        var (_, sameId) = await StartNodeAsync();

        sameId.ShouldBe(id);
        _cluster.Registrations.Last().Id.ShouldBe(id);
        _cluster.Registrations.Last().Secret.ShouldBe(_cluster.Registrations.First().Secret, "the node's own secret, kept in node.json");
        var inventory = await _observer.WaitForAsync<JobsResources>(
            NodeTopics.JobsResources(id), j => j.Services.Any(s => s.ServiceId == serviceId), "the adopted instance");
        var adopted = inventory.Services.ShouldHaveSingleItem();
        adopted.Status.ShouldBe(InstanceStatus.Running);
        adopted.Pid.ShouldBe(running.Pid);
        adopted.RestartCount.ShouldBe(0);
        adopted.InstanceIp.ShouldBe(running.InstanceIp);
    }

    [Fact]
    public async Task With_StopInstancesOnShutdown_instances_stop_with_the_node_and_start_with_it_again()
    {
        var (first, id) = await StartNodeAsync(stopInstances: true);
        var serviceId = ExecHarness.NewServiceId();
        await _observer.SendAsync(NodeTopics.ControlDeploy(id), new DeployCommand(SleepSpec(serviceId), 0));
        var running = await _observer.WaitForAsync<InstanceReport>(
            NodeTopics.Job(id), r => r.ServiceId == serviceId && r.Status == InstanceStatus.Running, "RUNNING");

        await first.StopAsync();

        Procs.GroupExists(running.Pid!.Value).ShouldBeFalse();
        Directory.Exists(Path.Combine(_dataDir, "instances", $"{serviceId}.0")).ShouldBeTrue();
        _observer.Messages.Clear();

        await StartNodeAsync(stopInstances: true);

        var again = await _observer.WaitForAsync<JobsResources>(
            NodeTopics.JobsResources(id), j => j.Services.Any(s => s.ServiceId == serviceId && s.Status == InstanceStatus.Running), "running again");
        again.Services.Single().Pid.ShouldNotBe(running.Pid);
    }

    [Fact]
    public async Task Not_registered_on_control_error_makes_the_node_register_again()
    {
        var (_, id) = await StartNodeAsync();
        await _observer.WaitForAsync<NodeStatus>(NodeTopics.Status(id), s => s.Status == NodeStatus.Online, "online");
        _observer.Messages.Clear();

        await _observer.SendAsync(NodeTopics.ControlError(id), new ControlError("Node not registered to the cluster"));

        await Eventually.True(() => _cluster.Registrations.Count == 2, "a second registration");
        _cluster.Registrations.Last().Id.ShouldBe(id);
        await _observer.WaitForAsync<NodeStatus>(NodeTopics.Status(id), s => s.Status == NodeStatus.Online, "online again");
    }

    [Fact]
    public async Task A_node_json_from_before_node_secrets_keeps_its_id_and_gets_a_secret_before_registering()
    {
        Directory.CreateDirectory(_dataDir);
        var identityFile = Path.Combine(_dataDir, "node.json");
        File.WriteAllText(identityFile, "{\"id\":\"4a11e05c69c66ae41616b2d6\"}");

        var (_, id) = await StartNodeAsync();

        id.ShouldBe("4a11e05c69c66ae41616b2d6");
        var registration = _cluster.Registrations.ShouldHaveSingleItem();
        registration.Id.ShouldBe(id);
        File.ReadAllText(identityFile).ShouldContain(registration.Secret.ShouldNotBeNull());
        File.GetUnixFileMode(identityFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task A_wrong_join_token_is_refused_and_retried_without_connecting()
    {
        var options = Options();
        options.JoinToken = "wrong";
        var host = NodeEngineHost.Create(options, b => b.Logging.ClearProviders());
        _hosts.Add(host);

        await host.StartAsync();

        await Eventually.True(() => !_cluster.Registrations.IsEmpty, "a registration attempt");
        await Task.Delay(500);
        host.Services.GetRequiredService<NodeReadiness>().Connected.IsCompleted.ShouldBeFalse();
    }
}
