using Canopy.Core.States;
using Canopy.Cri.V1;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes.Container;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Container;

[Collection(ContainerdCollection.Name)]
public sealed class ContainerAdoptionTests(ContainerdFixture node) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => node.RemoveDeployedAsync();

    [Fact]
    public async Task A_new_runtime_adopts_the_running_container_without_restarting_it()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);
        var port = Ports.Free();
        var deployed = await node.DeployAsync(ContainerdFixture.Spec(id, $"{port}:8080"));
        var before = (await node.ContainersOf(key)).ShouldHaveSingleItem();
        var creating = node.EventsOf(key).Count(e => e.Report.Status == InstanceStatus.Creating);

        await node.ReplaceRuntimeAsync();

        var adopted = node.Runtime.Find(key).ShouldNotBeNull();
        adopted.Status.ShouldBe(InstanceStatus.Running);
        adopted.RestartCount.ShouldBe(0);
        adopted.HostPort.ShouldBe(port.ToString());
        adopted.InstanceIp.ShouldNotBeNull().ShouldBe(deployed.InstanceIp, "kept in its state.json");
        var after = (await node.ContainersOf(key)).ShouldHaveSingleItem("no duplicate");
        after.Id.ShouldBe(before.Id);
        after.State.ShouldBe(ContainerState.ContainerRunning);
        node.EventsOf(key).Count(e => e.Report.Status == InstanceStatus.Creating).ShouldBe(creating, "adoption starts nothing");
        (await Http.GetEventuallyAsync(port, "/")).ShouldContain(ContainerdFixture.Page);

        // Still watched: an exit after the adoption is handled.
        foreach (var pid in ContainerdFixture.ProcessesOf(after.Id))
        {
            Linux.LibC.Kill(pid, Linux.LibC.SigKill);
        }

        await node.WaitForAsync(key, r => r.Status == InstanceStatus.Running && r.RestartCount == 1, "restarted by the new runtime");
    }

    [Fact]
    public async Task A_container_that_exited_while_no_runtime_watched_gets_its_restart_policy_once()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);
        await node.DeployAsync(ContainerdFixture.Spec(id, null, "sh", "-c", "while [ ! -f /tmp/stop ]; do sleep 0.1; done; exit 5"));
        var container = (await node.ContainersOf(key)).ShouldHaveSingleItem();
        await node.Runtime.DisposeAsync();

        await node.Cri.ExecSyncAsync(container.Id, ["touch", "/tmp/stop"], 10, CancellationToken.None);
        await Eventually.UntilAsync(
            async () => (await node.ContainersOf(key)).Single().State, s => s == ContainerState.ContainerExited, "the container exited");
        await node.ReplaceRuntimeAsync();

        var running = await node.WaitForAsync(key, r => r.Status == InstanceStatus.Running && r.RestartCount == 1, "restarted once");
        running.RestartCount.ShouldBe(1);
        node.EventsOf(key).Select(e => e.Report).Last(r => r.Status == InstanceStatus.Dead).ExitCode.ShouldBe(5);
        (await node.ContainersOf(key)).ShouldHaveSingleItem().State.ShouldBe(ContainerState.ContainerRunning);
    }

    [Fact]
    public async Task Undeploy_removes_the_container_the_sandbox_the_address_lease_and_the_instance_directory()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);
        await node.DeployAsync(ContainerdFixture.Spec(id, $"{Ports.Free()}:8080"));
        var sandbox = (await node.SandboxesOf(key)).ShouldHaveSingleItem();
        var ip = (await node.Cri.PodSandboxStatusAsync(sandbox.Id, CancellationToken.None)).Status.Network.Ip;
        var lease = Path.Combine(node.Options.ContainerdDir, "cni-ipam", Canopy.NodeEngine.Containerd.CniConfig.NetworkName(Canopy.NodeEngine.Containerd.NodeKey.BridgeName(node.Options.DataDir)), ip);
        File.Exists(lease).ShouldBeTrue($"host-local's lease {lease}");
        File.Exists(Path.Combine(node.InstanceDir(key), "container.log")).ShouldBeTrue();

        var removed = await node.Runtime.RemoveAsync(key, CancellationToken.None);

        removed.Status.ShouldBe(InstanceStatus.Undeployed);
        (await node.ContainersOf(key)).ShouldBeEmpty();
        (await node.SandboxesOf(key)).ShouldBeEmpty();
        File.Exists(lease).ShouldBeFalse("CNI DEL released the address");
        Directory.Exists(node.InstanceDir(key)).ShouldBeFalse();
        node.Runtime.Find(key).ShouldBeNull();
    }

    [Fact]
    public async Task Pods_with_this_nodes_label_but_no_instance_state_are_removed_as_orphans_and_others_are_not_touched()
    {
        var orphanKey = new InstanceKey(ContainerdFixture.NewServiceId(), 0);
        var spec = ContainerdFixture.Spec(orphanKey.ServiceId);
        var orphan = await node.Cri.RunPodSandboxAsync(
            PodSpecs.Sandbox(spec, orphanKey, node.NodeLabel, Path.Combine(node.DataDir, "orphan"), [], "/canopy", 1), "", CancellationToken.None);
        var foreignKey = new InstanceKey(ContainerdFixture.NewServiceId(), 0);
        var foreign = await node.Cri.RunPodSandboxAsync(
            PodSpecs.Sandbox(spec, foreignKey, "another-node", Path.Combine(node.DataDir, "foreign"), [], "/canopy", 1), "", CancellationToken.None);
        try
        {
            await node.ReplaceRuntimeAsync();

            var left = await node.Cri.ListPodSandboxAsync(null, CancellationToken.None);
            left.ShouldNotContain(s => s.Id == orphan);
            left.ShouldContain(s => s.Id == foreign);
        }
        finally
        {
            await node.Cri.StopPodSandboxAsync(foreign, CancellationToken.None);
            await node.Cri.RemovePodSandboxAsync(foreign, CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_containerd_that_dies_is_started_again_and_its_containers_keep_running()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);
        var port = Ports.Free();
        await node.DeployAsync(ContainerdFixture.Spec(id, $"{port}:8080"));
        var container = (await node.ContainersOf(key)).ShouldHaveSingleItem();
        var paths = new Canopy.NodeEngine.Containerd.ContainerdPaths(node.Options.ContainerdDir);
        var pid = Canopy.NodeEngine.Containerd.ContainerdProcess.FindRunning(paths).ShouldNotBeNull();

        Linux.LibC.Kill(pid, Linux.LibC.SigKill);

        await Eventually.True(
            () => Canopy.NodeEngine.Containerd.ContainerdProcess.FindRunning(paths) is { } again && again != pid && node.Runtime.IsAvailable,
            "a new containerd", TimeSpan.FromSeconds(30));
        (await Http.GetEventuallyAsync(port, "/")).ShouldContain(ContainerdFixture.Page);
        var after = await Eventually.UntilAsync(async () => await node.ContainersOf(key), c => c?.Count == 1, "the container listed again");
        after.Single().Id.ShouldBe(container.Id);
        node.Runtime.Find(key).ShouldNotBeNull().RestartCount.ShouldBe(0);
        node.Runtime.Find(key)!.Status.ShouldBe(InstanceStatus.Running);
    }
}
