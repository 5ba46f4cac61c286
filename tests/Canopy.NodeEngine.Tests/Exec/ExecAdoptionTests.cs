using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Exec;

public sealed class ExecAdoptionTests : IAsyncLifetime
{
    private readonly ExecHarness _node = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_new_runtime_adopts_a_running_instance_and_still_sees_its_exit_code()
    {
        var id = ExecHarness.NewServiceId();
        var key = new InstanceKey(id, 0);
        var started = await _node.DeployAsync(
            ExecHarness.Shell(id, "while [ ! -f \"$HOME/exit-now\" ]; do sleep 0.1; done; exit 7") with { RestartPolicy = RestartPolicy.Never });

        await _node.ReplaceRuntimeAsync();

        var adopted = _node.Runtime.Find(key).ShouldNotBeNull();
        adopted.Status.ShouldBe(InstanceStatus.Running);
        adopted.Pid.ShouldBe(started.Pid);
        adopted.RestartCount.ShouldBe(0);
        Procs.IsAlive(started.Pid!.Value).ShouldBeTrue();
        _node.EventsOf(key).Count(e => e.Report.Status == InstanceStatus.Creating).ShouldBe(1, "adoption starts nothing");

        await File.WriteAllTextAsync(Path.Combine(_node.HomeDir(key), "exit-now"), "");

        var dead = await _node.WaitForStatusAsync(key, InstanceStatus.Dead);
        dead.ExitCode.ShouldBe(7);
        dead.StatusDetail.ShouldNotBeNull().ShouldContain("exited with code 7");
    }

    [Fact]
    public async Task An_instance_that_ended_while_no_runtime_watched_is_restarted_by_policy_not_duplicated()
    {
        var id = ExecHarness.NewServiceId();
        var key = new InstanceKey(id, 0);
        await _node.DeployAsync(ExecHarness.Shell(id, "[ -f \"$HOME/second\" ] && exec sleep 300; touch \"$HOME/second\"; while [ ! -f \"$HOME/exit-now\" ]; do sleep 0.1; done; exit 5"));
        await _node.Runtime.DisposeAsync();

        // It ends while nobody watches; the exit file keeps its code for the next runtime.
        await File.WriteAllTextAsync(Path.Combine(_node.HomeDir(key), "exit-now"), "");
        await Eventually.True(() => File.Exists(Path.Combine(_node.InstanceDir(key), "exit")), "the exit file");
        await _node.ReplaceRuntimeAsync();

        var running = await _node.WaitForAsync(key, r => r.Status == InstanceStatus.Running && r.RestartCount == 1, "restarted once");
        _node.EventsOf(key).Last(e => e.Report.Status == InstanceStatus.Dead).Report.ExitCode.ShouldBe(5);
        await Eventually.True(() => Procs.ChildrenOf(running.Pid!.Value).Length == 1, "one workload");
        var reports = new List<Contracts.InstanceReport>();
        _node.Runtime.CollectReports(reports);
        reports.ShouldHaveSingleItem().Pid.ShouldBe(running.Pid);
    }

    [Fact]
    public async Task Undeploy_removes_the_process_group_the_cgroups_and_the_instance_directory()
    {
        var id = ExecHarness.NewServiceId();
        var key = new InstanceKey(id, 0);

        // A background child too: it must go with the instance.
        var report = await _node.DeployAsync(ExecHarness.Shell(id, "sleep 300 & exec sleep 301") with { Memory = 64 });
        var pgid = report.Pid!.Value;
        await Eventually.True(() => Procs.DescendantsOf(pgid).Length == 2, "two sleeps");
        var children = Procs.DescendantsOf(pgid);
        var cgroupDirs = _node.CgroupOf(key).Directories;
        cgroupDirs.ShouldAllBe(d => Directory.Exists(d));

        var removed = await _node.Runtime.RemoveAsync(key, CancellationToken.None);

        removed.Status.ShouldBe(InstanceStatus.Undeployed);
        Procs.GroupExists(pgid).ShouldBeFalse();
        children.ShouldAllBe(pid => !Procs.IsAlive(pid));
        cgroupDirs.ShouldAllBe(d => !Directory.Exists(d));
        Directory.Exists(_node.InstanceDir(key)).ShouldBeFalse();
        _node.Runtime.Find(key).ShouldBeNull();
        _node.EventsOf(key).Last().Report.Status.ShouldBe(InstanceStatus.Undeployed);
    }
}
