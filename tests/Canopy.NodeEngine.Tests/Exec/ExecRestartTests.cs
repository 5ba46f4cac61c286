using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Linux;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Exec;

public sealed class ExecRestartTests : IAsyncLifetime
{
    /// <summary>Long enough for a wrong restart to show: twice the first back-off and then some.</summary>
    private static readonly TimeSpan QuietPeriod = RestartRules.InitialDelay * 4;

    private readonly ExecHarness _node = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Killing_the_workload_with_SIGKILL_restarts_it_after_the_back_off()
    {
        var id = ExecHarness.NewServiceId();
        var key = new InstanceKey(id, 0);
        var port = Ports.Free();
        var www = ExecServingTests.MakeSite(_node.DataDir, "up");
        var first = await _node.DeployAsync(ExecServingTests.HttpdSpec(id, port, www));
        await Http.GetEventuallyAsync(port);
        var wrapper = first.Pid!.Value;
        var httpd = Procs.ChildrenOf(wrapper).ShouldHaveSingleItem();

        LibC.Kill(httpd, LibC.SigKill).ShouldBeTrue();

        var restarted = await _node.WaitForAsync(key, r => r.Status == InstanceStatus.Running && r.RestartCount == 1, "running again");
        restarted.Pid.ShouldNotBe(wrapper);
        var events = _node.EventsOf(key);
        var dead = events.Single(e => e.Report.Status == InstanceStatus.Dead);
        dead.Report.ExitCode.ShouldBe(137);
        dead.Report.StatusDetail.ShouldNotBeNull().ShouldContain("SIGKILL");
        var creating = events.Last(e => e.Report.Status == InstanceStatus.Creating);
        (creating.At - dead.At).ShouldBeGreaterThanOrEqualTo(RestartRules.InitialDelay - TimeSpan.FromMilliseconds(20), "the back-off");
        creating.Report.RestartCount.ShouldBe(1);
        (await Http.GetEventuallyAsync(port)).ShouldBe("up");
        Procs.IsAlive(wrapper).ShouldBeFalse();
    }

    [Fact]
    public async Task A_one_shot_instance_exiting_0_completes_and_is_not_restarted()
    {
        var id = ExecHarness.NewServiceId();
        var key = new InstanceKey(id, 0);

        await _node.DeployAsync(ExecHarness.Shell(id, "echo done") with { OneShot = true });

        var completed = await _node.WaitForStatusAsync(key, InstanceStatus.Completed);
        completed.ExitCode.ShouldBe(0);
        await Task.Delay(QuietPeriod);
        var later = _node.Runtime.Find(key).ShouldNotBeNull();
        later.Status.ShouldBe(InstanceStatus.Completed);
        later.RestartCount.ShouldBe(0);
        _node.EventsOf(key).Count(e => e.Report.Status == InstanceStatus.Creating).ShouldBe(1);
    }

    [Fact]
    public async Task On_failure_policy_with_exit_0_completes()
    {
        var id = ExecHarness.NewServiceId();
        var key = new InstanceKey(id, 0);

        await _node.DeployAsync(ExecHarness.Shell(id, "exit 0") with { RestartPolicy = RestartPolicy.OnFailure });

        (await _node.WaitForStatusAsync(key, InstanceStatus.Completed)).RestartCount.ShouldBe(0);
        await Task.Delay(QuietPeriod);
        _node.Runtime.Find(key).ShouldNotBeNull().Status.ShouldBe(InstanceStatus.Completed);
    }

    [Fact]
    public async Task Never_policy_with_exit_3_stays_dead()
    {
        var id = ExecHarness.NewServiceId();
        var key = new InstanceKey(id, 0);

        await _node.DeployAsync(ExecHarness.Shell(id, "exit 3") with { RestartPolicy = RestartPolicy.Never });

        var dead = await _node.WaitForStatusAsync(key, InstanceStatus.Dead);
        dead.ExitCode.ShouldBe(3);
        dead.StatusDetail.ShouldNotBeNull().ShouldContain("exited with code 3");
        await Task.Delay(QuietPeriod);
        var later = _node.Runtime.Find(key).ShouldNotBeNull();
        later.Status.ShouldBe(InstanceStatus.Dead);
        later.RestartCount.ShouldBe(0);
    }

    [Fact]
    public async Task A_command_that_cannot_be_found_exits_127_and_the_policy_restarts_it()
    {
        var id = ExecHarness.NewServiceId();
        var key = new InstanceKey(id, 0);

        await _node.DeployAsync(ExecHarness.Spec(id, "/nonexistent/canopy-test-binary"));

        await _node.WaitForAsync(key, r => r.RestartCount >= 1, "a restart");
        var dead = _node.EventsOf(key).First(e => e.Report.Status == InstanceStatus.Dead).Report;
        dead.ExitCode.ShouldBe(127);
        dead.StatusDetail.ShouldNotBeNull().ShouldContain("restarting in");
        var logs = await _node.Runtime.ReadLogsAsync(key, 5, CancellationToken.None);
        logs.ShouldNotBeNull().ShouldContain("canopy-test-binary");
    }

    [Fact]
    public async Task A_redeploy_after_a_final_failure_starts_it_again()
    {
        var id = ExecHarness.NewServiceId();
        var key = new InstanceKey(id, 0);
        var spec = ExecHarness.Shell(id, "exit 4") with { RestartPolicy = RestartPolicy.Never };
        await _node.DeployAsync(spec);
        await _node.WaitForStatusAsync(key, InstanceStatus.Dead);

        var again = await _node.DeployAsync(spec with { Cmd = ["/bin/sh", "-c", "exec sleep 300"] });

        again.Status.ShouldBe(InstanceStatus.Running);
        again.ExitCode.ShouldBeNull();
    }
}
