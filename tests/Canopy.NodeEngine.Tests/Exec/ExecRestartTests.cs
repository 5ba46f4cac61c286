using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
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
