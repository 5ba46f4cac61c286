using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Linux;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Container;

[Collection(ContainerdCollection.Name)]
public sealed class ContainerRestartTests(ContainerdFixture node) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => node.RemoveDeployedAsync();

    [Fact]
    public async Task A_killed_container_is_reported_DEAD_then_runs_again_in_a_new_container()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);
        await node.DeployAsync(ContainerdFixture.Spec(id, null, "sleep", "300"));
        var first = (await node.ContainersOf(key)).ShouldHaveSingleItem();
        var pids = ContainerdFixture.ProcessesOf(first.Id);
        pids.ShouldNotBeEmpty();

        foreach (var pid in pids)
        {
            LibC.Kill(pid, LibC.SigKill);
        }

        var running = await node.WaitForAsync(key, r => r.Status == InstanceStatus.Running && r.RestartCount == 1, "restarted once");
        var dead = node.EventsOf(key).Select(e => e.Report).Last(r => r.Status == InstanceStatus.Dead);
        dead.ExitCode.ShouldBe(137);
        dead.StatusDetail.ShouldNotBeNull().ShouldContain("SIGKILL");
        running.RestartCount.ShouldBe(1);
        var second = (await node.ContainersOf(key)).ShouldHaveSingleItem("the exited container is removed");
        second.Id.ShouldNotBe(first.Id);
        second.PodSandboxId.ShouldBe(first.PodSandboxId, "a restart keeps the pod (its address and ports)");
        second.Metadata.Attempt.ShouldBe(1u);
    }

    [Fact]
    public async Task A_one_shot_that_exits_0_is_COMPLETED_and_gives_up_its_pod_but_keeps_its_log()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);

        await node.DeployAsync(ContainerdFixture.Spec(id, null, "sh", "-c", "echo job done") with { OneShot = true });

        var completed = await node.WaitForStatusAsync(key, InstanceStatus.Completed);
        completed.ExitCode.ShouldBe(0);
        await Eventually.UntilAsync(async () => (await node.SandboxesOf(key)).Count, n => n == 0, "the pod released");
        (await node.ContainersOf(key)).ShouldBeEmpty();
        (await node.Runtime.ReadLogsAsync(key, 10, CancellationToken.None)).ShouldBe("job done\n");
        node.EventsOf(key).Count(e => e.Report.Status == InstanceStatus.Creating).ShouldBe(1, "never restarted");
    }

    [Fact]
    public async Task A_container_beyond_its_memory_limit_is_OOMKilled_and_the_restart_policy_applies()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);

        // dd reads 64 MB from /dev/zero into one buffer: every page is touched, the 16 MB limit is hit. It is the
        // container's main process (exec), so the OOM kill ends the container.
        await node.DeployAsync(ContainerdFixture.Spec(id, null, "sh", "-c", "sleep 0.5; exec dd if=/dev/zero of=/dev/null bs=64M count=1") with
        {
            Memory = 16,
        });

        await node.WaitForAsync(key, r => r.RestartCount >= 1, "restarted after the OOM kill");
        var dead = node.EventsOf(key).Select(e => e.Report).First(r => r.Status == InstanceStatus.Dead);
        dead.StatusDetail.ShouldNotBeNull().ShouldContain("OOMKilled");
        dead.StatusDetail.ShouldContain("restarting in");
        dead.ExitCode.ShouldBe(137);
    }
}
