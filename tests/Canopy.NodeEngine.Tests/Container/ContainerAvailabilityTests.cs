using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Core.States;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.NetManager;
using Canopy.NodeEngine.Network;
using Canopy.NodeEngine.Runtimes;
using Canopy.NodeEngine.Runtimes.Container;
using Canopy.NodeEngine.Runtimes.Exec;
using Canopy.NodeEngine.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.Tests.Container;

/// <summary>Nodes without a usable containerd: they keep working with exec and say why containers cannot run.</summary>
public sealed class ContainerAvailabilityTests : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("cnp-na-").FullName;
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Without_a_socket_and_with_starting_containerd_off_the_node_offers_exec_only()
    {
        var options = new NodeEngineOptions { DataDir = _dataDir, Name = "exec-only", StartContainerd = false };
        var instances = Build(options, out var containers);
        await instances.RecoverAsync(CancellationToken.None);

        instances.Virtualizations.ShouldBe(["exec"]);
        containers.IsAvailable.ShouldBeFalse();
        Directory.Exists(options.ContainerdDir).ShouldBeFalse("nothing of containerd is written");

        var report = await instances.DeployAsync(new DeployCommand(Spec(), 0), CancellationToken.None);

        report.Status.ShouldBe(InstanceStatus.Failed);
        report.StatusDetail.ShouldNotBeNull().ShouldContain("virtualization 'container' is not available on node exec-only");
        report.StatusDetail.ShouldContain("starting containerd is turned off");
    }

    [Fact]
    public async Task A_configured_containerd_that_is_not_running_fails_deploys_with_that_reason()
    {
        var socket = Path.Combine(_dataDir, "no-such-containerd.sock");
        var options = new NodeEngineOptions { DataDir = _dataDir, Name = "no-containerd", ContainerdSocket = socket };
        var instances = Build(options, out var containers);
        await instances.RecoverAsync(CancellationToken.None);

        instances.Virtualizations.ShouldBe(["exec"]);
        containers.UnavailableReason.ShouldNotBeNull().ShouldContain($"containerd is not running: its socket {socket} does not exist");

        var report = await instances.DeployAsync(new DeployCommand(Spec(), 0), CancellationToken.None);

        report.Status.ShouldBe(InstanceStatus.Failed);
        report.StatusDetail.ShouldNotBeNull().ShouldContain("containerd is not running");
        Directory.Exists(options.ContainerdDir).ShouldBeFalse("an operator's containerd is never configured by Canopy");
    }

    [Fact]
    public async Task With_a_dynamically_linked_busybox_the_node_offers_exec_only_says_why_once_and_fails_container_deploys_with_it()
    {
        var busybox = Path.Combine(_dataDir, "busybox");
        File.Copy("/bin/ls", busybox);
        var logs = new ListLogger();
        var options = new NodeEngineOptions { DataDir = _dataDir, Name = "dynamic-busybox", BusyboxPath = busybox };
        var instances = Build(options, out _, logs);
        await instances.RecoverAsync(CancellationToken.None);

        instances.Virtualizations.ShouldBe(["exec"]);
        var why = instances.UnavailableRuntimes.ShouldNotBeNull().ShouldHaveSingleItem();
        why.Key.ShouldBe("container");
        why.Value.ShouldContain($"{busybox} is dynamically linked");
        why.Value.ShouldContain("apt-get install busybox-static");

        var first = await instances.DeployAsync(new DeployCommand(Spec(), 0), CancellationToken.None);
        var second = await instances.DeployAsync(new DeployCommand(Spec(), 0), CancellationToken.None);

        first.Status.ShouldBe(InstanceStatus.Failed);
        first.StatusDetail.ShouldNotBeNull().ShouldContain(why.Value);
        second.StatusDetail.ShouldBe(first.StatusDetail);
        logs.Lines.Count(l => l.Contains("Warning") && l.Contains("is dynamically linked")).ShouldBe(1, logs.Tail());
        Directory.Exists(options.ContainerdDir).ShouldBeFalse("no containerd is started for a runtime that cannot work");
    }

    [Fact]
    public void Without_containerd_installed_the_runtime_says_so()
    {
        var options = new NodeEngineOptions { DataDir = _dataDir, ContainerdPath = "/nonexistent/containerd" };
        var supervisor = new ContainerdSupervisor(options, NullLogger<ContainerdSupervisor>.Instance);
        _owned.Add(supervisor);

        supervisor.Mode.ShouldBe(ContainerdMode.Disabled);
        supervisor.DisabledReason.ShouldNotBeNull().ShouldContain("is not installed");
    }

    private NodeInstances Build(NodeEngineOptions options, out ContainerRuntime containers, ListLogger? logs = null)
    {
        var supervisor = new ContainerdSupervisor(
            options, logs is null ? NullLogger<ContainerdSupervisor>.Instance : new Logger<ContainerdSupervisor>(new LoggerFactory([logs])));
        var subnet = new NodeSubnet(options);
        containers = new ContainerRuntime(
            options, supervisor, subnet, new HostNetwork(options, subnet), new InstanceHosts(options), NullLogger<ContainerRuntime>.Instance);
        var exec = new ExecRuntime(options, CgroupLayout.Detect(), new InstanceHosts(options), new NodeFacts(options));
        _owned.Add(containers);
        _owned.Add(exec);
        _owned.Add(supervisor);
        return new NodeInstances(new IRuntime[] { exec, containers }, options, new ResourceMonitor(), NullLogger<NodeInstances>.Instance);
    }

    private static ServiceSpec Spec() => ContainerdFixture.Spec(ContainerdFixture.NewServiceId());
}
