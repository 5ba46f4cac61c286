using System.Globalization;
using Canopy.Contracts;
using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Conformance;

/// <summary>
/// What every runtime does the same way, checked as a user would: it serves, logs, reports stats, restarts by policy,
/// completes, stays dead, deploys idempotently, is adopted by a new node engine, starts again after a node stop,
/// leaves nothing when removed and fails bad code for good. A runtime passes it through a small derived class that
/// hands over its <see cref="IRuntimeUnderTest"/>.
/// </summary>
public abstract class RuntimeConformanceTests(IRuntimeUnderTest node) : IAsyncLifetime
{
    /// <summary>Long enough for a wrong restart to show: twice the first back-off and then some.</summary>
    private static readonly TimeSpan QuietPeriod = RestartRules.InitialDelay * 4;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await node.DisposeAsync();

    [Fact]
    public async Task A_deployed_instance_is_RUNNING_and_its_page_answers_on_its_port()
    {
        var key = NewKey();
        var port = Ports.Free();

        var report = await node.DeployAsync(node.Serving(key.ServiceId, port));

        report.Status.ShouldBe(InstanceStatus.Running, report.StatusDetail);
        report.HostPort.ShouldBe(port.ToString(CultureInfo.InvariantCulture));
        report.RestartCount.ShouldBe(0);
        (await Http.GetEventuallyAsync(port, node.PagePath)).ShouldContain(node.PageText);
        node.EventsOf(key).Select(e => e.Report.Status).ShouldBe([InstanceStatus.Creating, InstanceStatus.Running]);
        (await node.RunningCopiesAsync(key)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task The_log_shows_what_the_workload_printed()
    {
        var key = NewKey();
        const string word = "conformance42";

        await node.DeployAsync(node.Printing(key.ServiceId, word));

        var logs = await Eventually.UntilAsync(
            () => node.Runtime.ReadLogsAsync(key, 100, CancellationToken.None), l => l?.Contains(word) == true, $"{word} in the log");
        logs.ShouldEndWith("\n");
        (await node.Runtime.ReadLogsAsync(new InstanceKey(key.ServiceId, 9), 10, CancellationToken.None)).ShouldBeNull("an instance it does not hold");
    }

    [Fact]
    public async Task Stats_are_reported_while_RUNNING()
    {
        var key = NewKey();
        (await node.DeployAsync(node.Idle(key.ServiceId))).Status.ShouldBe(InstanceStatus.Running);

        var stats = await Eventually.UntilAsync(
            async () => await node.Runtime.StatsAsync(key, CancellationToken.None), s => s is { MemoryMb: > 0 }, "stats with memory in use");

        stats!.Value.CpuPercent.ShouldBeGreaterThanOrEqualTo(0);
        (await node.Runtime.StatsAsync(new InstanceKey(key.ServiceId, 9), CancellationToken.None)).ShouldBeNull("an instance it does not hold");
    }

    [Fact]
    public async Task A_killed_workload_is_DEAD_then_RUNNING_again_after_the_back_off()
    {
        var key = NewKey();
        var port = Ports.Free();
        await node.DeployAsync(node.Serving(key.ServiceId, port));
        await Http.GetEventuallyAsync(port, node.PagePath);
        var before = await node.RunningCopiesAsync(key);

        await node.KillWorkloadAsync(key);

        var running = await WaitForAsync(key, r => r.Status == InstanceStatus.Running && r.RestartCount == 1, "RUNNING again, restarted once");
        running.ExitCode.ShouldBeNull();
        var events = node.EventsOf(key);
        var dead = events.Single(e => e.Report.Status == InstanceStatus.Dead);
        dead.Report.StatusDetail.ShouldNotBeNull().ShouldContain("SIGKILL");
        var restart = events.Last(e => e.Report.Status == InstanceStatus.Creating);
        (restart.At - dead.At).ShouldBeGreaterThanOrEqualTo(RestartRules.InitialDelay - TimeSpan.FromMilliseconds(20), "the back-off");
        (await Http.GetEventuallyAsync(port, node.PagePath)).ShouldContain(node.PageText);
        var after = (await node.RunningCopiesAsync(key)).ShouldHaveSingleItem();
        before.ShouldNotContain(after, "a new copy replaced the killed one");
    }

    [Fact]
    public async Task A_one_shot_instance_exiting_0_is_COMPLETED_and_not_restarted()
    {
        var key = NewKey();

        await node.DeployAsync(node.Exiting(key.ServiceId, 0) with { OneShot = true });

        (await WaitForStatusAsync(key, InstanceStatus.Completed)).ExitCode.ShouldBe(0);
        await ShouldStayAsync(key, InstanceStatus.Completed);
    }

    [Fact]
    public async Task With_policy_never_an_exit_with_code_3_is_DEAD_and_stays_so()
    {
        var key = NewKey();

        await node.DeployAsync(node.Exiting(key.ServiceId, 3) with { RestartPolicy = RestartPolicy.Never });

        var dead = await WaitForStatusAsync(key, InstanceStatus.Dead);
        dead.ExitCode.ShouldBe(3);
        dead.StatusDetail.ShouldNotBeNull().ShouldContain("3");
        await ShouldStayAsync(key, InstanceStatus.Dead);
    }

    [Fact]
    public async Task Deploying_a_running_instance_again_starts_no_second_copy()
    {
        var key = NewKey();
        var spec = node.Serving(key.ServiceId, Ports.Free());
        var first = await node.DeployAsync(spec);
        var copy = (await node.RunningCopiesAsync(key)).ShouldHaveSingleItem();

        var second = await node.DeployAsync(spec);

        second.Status.ShouldBe(InstanceStatus.Running);
        second.Pid.ShouldBe(first.Pid);
        second.RestartCount.ShouldBe(0);
        (await node.RunningCopiesAsync(key)).ShouldBe([copy]);
        var reports = new List<InstanceReport>();
        node.Runtime.CollectReports(reports);
        reports.Count(r => r.ServiceId == key.ServiceId).ShouldBe(1);
        node.EventsOf(key).Count(e => e.Report.Status == InstanceStatus.Creating).ShouldBe(1);
    }

    [Fact]
    public async Task A_new_node_engine_adopts_the_running_instance_without_restarting_it_and_keeps_watching_it()
    {
        var key = NewKey();
        var port = Ports.Free();
        var deployed = await node.DeployAsync(node.Serving(key.ServiceId, port));
        await Http.GetEventuallyAsync(port, node.PagePath);
        var copy = (await node.RunningCopiesAsync(key)).ShouldHaveSingleItem();

        await node.ReplaceRuntimeAsync();

        var adopted = node.Runtime.Find(key).ShouldNotBeNull();
        adopted.Status.ShouldBe(InstanceStatus.Running);
        adopted.RestartCount.ShouldBe(0);
        adopted.Pid.ShouldBe(deployed.Pid);
        adopted.HostPort.ShouldBe(deployed.HostPort);
        (await node.RunningCopiesAsync(key)).ShouldBe([copy], "the same copy, none beside it");
        node.EventsOf(key).Count(e => e.Report.Status == InstanceStatus.Creating).ShouldBe(1, "adoption starts nothing");
        (await Http.GetEventuallyAsync(port, node.PagePath)).ShouldContain(node.PageText);

        await node.KillWorkloadAsync(key);

        await WaitForAsync(key, r => r.Status == InstanceStatus.Running && r.RestartCount == 1, "restarted by the new runtime");
    }

    [Fact]
    public async Task Stopped_with_the_node_engine_it_starts_again_at_the_next_start()
    {
        var key = NewKey();
        var port = Ports.Free();
        await node.DeployAsync(node.Serving(key.ServiceId, port) with { RestartPolicy = RestartPolicy.Never });
        var first = (await node.RunningCopiesAsync(key)).ShouldHaveSingleItem();

        await node.Runtime.StopAsync(key, CancellationToken.None);

        (await node.RunningCopiesAsync(key)).ShouldBeEmpty();
        Directory.Exists(node.InstanceDir(key)).ShouldBeTrue("kept to start it again");

        await node.ReplaceRuntimeAsync();

        await WaitForStatusAsync(key, InstanceStatus.Running);
        (await Http.GetEventuallyAsync(port, node.PagePath)).ShouldContain(node.PageText);
        (await node.RunningCopiesAsync(key)).ShouldHaveSingleItem().ShouldNotBe(first);
    }

    [Fact]
    public async Task Removing_it_reports_UNDEPLOYED_and_leaves_nothing_on_the_node()
    {
        var key = NewKey();
        var port = Ports.Free();
        await node.DeployAsync(node.Serving(key.ServiceId, port) with { Memory = 64 });
        await Http.GetEventuallyAsync(port, node.PagePath);

        var removed = await node.Runtime.RemoveAsync(key, CancellationToken.None);

        removed.Status.ShouldBe(InstanceStatus.Undeployed);
        (await node.RunningCopiesAsync(key)).ShouldBeEmpty();
        (await node.LeftOnNodeAsync(key)).ShouldBeEmpty();
        Directory.Exists(node.InstanceDir(key)).ShouldBeFalse();
        node.Runtime.Find(key).ShouldBeNull();
        node.EventsOf(key).Last().Report.Status.ShouldBe(InstanceStatus.Undeployed);
        (await node.Runtime.RemoveAsync(new InstanceKey(key.ServiceId, 3), CancellationToken.None)).Status
            .ShouldBe(InstanceStatus.Undeployed, "an instance it does not hold");
    }

    [Fact]
    public async Task Code_it_cannot_run_is_FAILED_with_the_reason_and_not_restarted()
    {
        var key = NewKey();
        var (spec, reason) = node.Invalid(key.ServiceId);

        await node.DeployAsync(spec);

        var failed = await WaitForStatusAsync(key, InstanceStatus.Failed);
        failed.StatusDetail.ShouldNotBeNull().ShouldContain(reason);
        await ShouldStayAsync(key, InstanceStatus.Failed);
        (await node.LeftOnNodeAsync(key)).ShouldBeEmpty();
    }

    /// <summary>Watches a window in which a wrong restart would show (not a synchronisation): the status holds, nothing started again, nothing runs.</summary>
    private async Task ShouldStayAsync(InstanceKey key, InstanceStatus status)
    {
        await Task.Delay(QuietPeriod);
        var later = node.Runtime.Find(key).ShouldNotBeNull();
        later.Status.ShouldBe(status);
        later.RestartCount.ShouldBe(0);
        node.EventsOf(key).Count(e => e.Report.Status == InstanceStatus.Creating).ShouldBe(1, "never started again");
        (await node.RunningCopiesAsync(key)).ShouldBeEmpty();
    }

    private static InstanceKey NewKey() => new(Guid.NewGuid().ToString("N")[..24], 0);

    private Task<InstanceReport> WaitForAsync(InstanceKey key, Func<InstanceReport, bool> condition, string what) =>
        Eventually.Until(() => node.Runtime.Find(key), r => r is not null && condition(r), $"{key}: {what}\n--- runtime log:\n{node.RecentLog}");

    private Task<InstanceReport> WaitForStatusAsync(InstanceKey key, InstanceStatus status) =>
        WaitForAsync(key, r => r.Status == status, status.ToWireName());
}
