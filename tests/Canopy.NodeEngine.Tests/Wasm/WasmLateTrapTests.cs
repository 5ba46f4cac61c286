using Canopy.Contracts;
using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Wasm;

/// <summary>
/// A module that runs fine and traps later (examples/wasm/late-trap.wat: after 2 s asleep) is DEAD with the trap's message,
/// not only its host's exit code, and the restart policy decides. The start window is shortened to 1 s so that the test
/// does not wait out the default 10 s; the module's 2 s sleep puts its trap past the window however loaded the machine.
/// </summary>
public sealed class WasmLateTrapTests : IAsyncLifetime
{
    private const string TrapMessage = "wasm `unreachable` instruction executed (exit 67)";

    /// <summary>Long enough for a wrong restart to show: twice the first back-off and then some.</summary>
    private static readonly TimeSpan QuietPeriod = RestartRules.InitialDelay * 4;

    private readonly WasmHarness _node = new(o => o.WasmStartWindow = TimeSpan.FromSeconds(1));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_trap_after_the_start_window_is_DEAD_with_the_trap_message_and_restarted_by_policy()
    {
        var key = new InstanceKey(WasmHarness.NewServiceId(), 0);

        var report = await _node.DeployAsync(_node.Spec(key.ServiceId, "late-trap"));

        report.Status.ShouldBe(InstanceStatus.Running, report.StatusDetail);
        var dead = await DeadReportAsync(key);
        dead.StatusDetail.ShouldNotBeNull().ShouldStartWith("the module trapped after ");
        dead.StatusDetail.ShouldContain(TrapMessage);
        dead.StatusDetail.ShouldEndWith("; restarting in 0.25 s");
        dead.ExitCode.ShouldBe(67);

        // Restarted by the policy (always): running again, and in time DEAD again for the same reason.
        await _node.WaitForAsync(key, r => r.RestartCount >= 1, "restarted by its policy");
        await Eventually.True(
            () => _node.EventsOf(key).SkipWhile(e => e.Report.Status != InstanceStatus.Dead).Any(e => e.Report.Status == InstanceStatus.Running),
            "RUNNING again after DEAD");
        _node.EventsOf(key).ShouldNotContain(e => e.Report.Status == InstanceStatus.Failed);
        (await _node.LogAsync(key)).ShouldContain("about to trap");
    }

    [Fact]
    public async Task With_restart_policy_never_a_late_trap_stays_DEAD_with_the_trap_message()
    {
        var key = new InstanceKey(WasmHarness.NewServiceId(), 0);

        await _node.DeployAsync(_node.Spec(key.ServiceId, "late-trap") with { RestartPolicy = RestartPolicy.Never });

        var dead = await _node.WaitForStatusAsync(key, InstanceStatus.Dead);
        dead.StatusDetail.ShouldNotBeNull().ShouldContain(TrapMessage);
        dead.StatusDetail.ShouldEndWith("; not restarted");
        await Task.Delay(QuietPeriod);
        var later = _node.Runtime.Find(key).ShouldNotBeNull();
        later.Status.ShouldBe(InstanceStatus.Dead);
        later.StatusDetail.ShouldBe(dead.StatusDetail);
        later.RestartCount.ShouldBe(0);
        _node.EventsOf(key).Count(e => e.Report.Status == InstanceStatus.Creating).ShouldBe(1, "never started again");
    }

    /// <summary>The first DEAD report: under restart policy always it lasts only the back-off, too short to poll for.</summary>
    private async Task<InstanceReport> DeadReportAsync(InstanceKey key)
    {
        await Eventually.True(() => _node.EventsOf(key).Any(e => e.Report.Status == InstanceStatus.Dead), "DEAD", TimeSpan.FromSeconds(30));
        return _node.EventsOf(key).First(e => e.Report.Status == InstanceStatus.Dead).Report;
    }
}
