using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes.Exec;
using Canopy.NodeEngine.Runtimes.Processes;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Exec;

/// <summary>Exec workloads do not get the node: an unprivileged uid of their own by default, root only where the operator allows it.</summary>
public sealed class WorkloadUserTests : IAsyncLifetime
{
    /// <summary>Prints who it is, tries to write where only root may and into its home, then waits.</summary>
    private const string Probe =
        """
        echo "uid=$(id -u) gid=$(id -g) groups=$(id -G)"
        if echo x >"$1/by-workload" 2>/dev/null; then echo outside=written; else echo outside=refused; fi
        if echo x >"$HOME/mine" 2>/dev/null; then echo home=written; else echo home=refused; fi
        if echo x >../spec.json 2>/dev/null; then echo spec=written; else echo spec=refused; fi
        grep NoNewPrivs /proc/self/status
        echo probed
        exec sleep 300
        """;

    private readonly string _rootOnly = Directory.CreateTempSubdirectory("canopy-root-only-").FullName;
    private readonly List<ExecHarness> _nodes = [];

    public Task InitializeAsync()
    {
        // Anyone may pass, only root may write: what /etc is.
        File.SetUnixFileMode(_rootOnly, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        Directory.Delete(_rootOnly, recursive: true);
    }

    [Fact]
    public async Task By_default_an_exec_workload_runs_as_an_unprivileged_user_of_its_own_that_writes_only_its_home()
    {
        var node = NewNode();
        var (key, log) = await ProbeAsync(node);

        var uid = UidIn(log);
        uid.ShouldBeInRange(WorkloadUser.RangeStart, WorkloadUser.RangeStart + WorkloadUser.RangeSize - 1);
        log.ShouldContain($"gid={uid} groups={uid}", customMessage: "its own group and no other");
        log.ShouldContain("outside=refused");
        File.Exists(Path.Combine(_rootOnly, "by-workload")).ShouldBeFalse();
        log.ShouldContain("spec=refused", customMessage: "the instance directory is the node engine's");
        log.ShouldContain("home=written");
        log.ShouldContain("NoNewPrivs:\t1");
        (await File.ReadAllTextAsync(Path.Combine(node.HomeDir(key), "mine"))).ShouldBe("x\n");

        var etc = $"/etc/canopy-exec-test-{key.ServiceId}";
        var attempt = await DeployAndReadAsync(node, $"if echo x >{etc} 2>/dev/null; then echo etc=written; else echo etc=refused; fi; echo probed; exec sleep 300");
        File.Exists(etc).ShouldBeFalse();
        attempt.ShouldContain("etc=refused");
    }

    [Fact]
    public async Task With_ExecAsRoot_the_operator_lets_exec_workloads_run_as_root()
    {
        var node = NewNode(o => o.ExecAsRoot = true);
        var (_, log) = await ProbeAsync(node);

        UidIn(log).ShouldBe(0);
        log.ShouldContain("outside=written");
        File.Exists(Path.Combine(_rootOnly, "by-workload")).ShouldBeTrue();
    }

    [Fact]
    public async Task Two_instances_get_different_users_and_one_keeps_its_user_through_adoption_and_restart()
    {
        var node = NewNode();
        var (first, firstLog) = await ProbeAsync(node);
        var (_, secondLog) = await ProbeAsync(node);
        var uid = UidIn(firstLog);
        UidIn(secondLog).ShouldNotBe(uid);

        var before = node.Runtime.Find(first).ShouldNotBeNull();
        await node.ReplaceRuntimeAsync();
        var adopted = node.Runtime.Find(first).ShouldNotBeNull();
        adopted.Pid.ShouldBe(before.Pid);
        adopted.Status.ShouldBe(InstanceStatus.Running);

        // Killing the workload makes the runtime (the new one) start it again, as the same user, with its home as it was.
        var workload = Procs.ChildrenOf(before.Pid!.Value).ShouldHaveSingleItem();
        ProcUid(workload).ShouldBe(uid);
        Linux.LibC.Kill(workload, Linux.LibC.SigKill).ShouldBeTrue();
        var restarted = await node.WaitForAsync(first, r => r.Status == InstanceStatus.Running && r.RestartCount == 1, "restarted");
        var again = await Eventually.Until(
            () => Procs.ChildrenOf(restarted.Pid!.Value).SingleOrDefault(), pid => pid > 0 && ProcUid(pid) == uid, "the restarted workload as its user");
        ProcUid(again).ShouldBe(uid);
        File.Exists(Path.Combine(node.HomeDir(first), "mine")).ShouldBeTrue();
    }

    [Fact]
    public async Task A_privileged_sla_fails_on_a_node_without_ExecAsRoot_and_runs_as_root_on_one_with_it()
    {
        var plain = NewNode();
        var id = ExecHarness.NewServiceId();
        var report = await plain.DeployAsync(ExecHarness.Shell(id, "exec sleep 300") with { Privileged = true });
        report.Status.ShouldBe(InstanceStatus.Failed);
        report.StatusDetail.ShouldNotBeNull().ShouldContain("--exec-as-root");

        var trusting = NewNode(o => o.ExecAsRoot = true);
        var log = await DeployAndReadAsync(trusting, ExecHarness.Shell(ExecHarness.NewServiceId(), "echo uid=$(id -u); echo probed; exec sleep 300") with { Privileged = true });
        UidIn(log).ShouldBe(0);
    }

    private ExecHarness NewNode(Action<NodeEngineOptions>? configure = null)
    {
        var node = new ExecHarness(configure);
        _nodes.Add(node);
        return node;
    }

    private async Task<(InstanceKey Key, string Log)> ProbeAsync(ExecHarness node)
    {
        var id = ExecHarness.NewServiceId();
        var spec = ExecHarness.Spec(id, "/bin/sh", "-c", Probe, "probe", _rootOnly);
        return (new InstanceKey(id, 0), await DeployAndReadAsync(node, spec));
    }

    private static Task<string> DeployAndReadAsync(ExecHarness node, string script) =>
        DeployAndReadAsync(node, ExecHarness.Shell(ExecHarness.NewServiceId(), script));

    private static async Task<string> DeployAndReadAsync(ExecHarness node, Contracts.ServiceSpec spec)
    {
        var key = new InstanceKey(spec.ServiceId, 0);
        await node.DeployAsync(spec);
        return (await Eventually.UntilAsync(
            () => node.Runtime.ReadLogsAsync(key, 50, CancellationToken.None), l => l?.Contains("probed") == true, $"{key}: its probe's output"))!;
    }

    private static int UidIn(string log) =>
        int.Parse(log.Split('\n').Single(l => l.StartsWith("uid=", StringComparison.Ordinal))["uid=".Length..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static int ProcUid(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
