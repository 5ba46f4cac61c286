using System.Globalization;
using Canopy.Core.States;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Exec;

public sealed class ExecLimitsTests : IAsyncLifetime
{
    private readonly ExecHarness _node = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private string InstanceCgroupDir(string controllerRoot, InstanceKey key) =>
        Path.Combine(controllerRoot, _node.Options.CgroupName, Runtimes.Processes.ProcessRuntime.CgroupInstanceName(_node.Options, key));

    [Fact]
    public async Task Memory_and_cpu_limits_are_written_and_the_wrapper_joins_the_groups()
    {
        _node.Cgroups.Mode.ShouldNotBe(CgroupMode.None, "this machine must offer cgroups");
        var id = ExecHarness.NewServiceId();
        var key = new InstanceKey(id, 0);

        var report = await _node.DeployAsync(ExecHarness.Shell(id, "exec sleep 300") with { Memory = 64, Vcpus = 0.5 });

        var pid = report.Pid!.Value.ToString(CultureInfo.InvariantCulture);
        if (_node.Cgroups.Mode == CgroupMode.V1)
        {
            var memory = InstanceCgroupDir(_node.Cgroups.MemoryRoot!, key);
            File.ReadAllText(Path.Combine(memory, "memory.limit_in_bytes")).Trim().ShouldBe((64L * 1024 * 1024).ToString(CultureInfo.InvariantCulture));
            var cpu = InstanceCgroupDir(_node.Cgroups.CpuRoot!, key);
            File.ReadAllText(Path.Combine(cpu, "cpu.cfs_period_us")).Trim().ShouldBe("100000");
            File.ReadAllText(Path.Combine(cpu, "cpu.cfs_quota_us")).Trim().ShouldBe("50000");
            foreach (var root in new[] { _node.Cgroups.MemoryRoot, _node.Cgroups.CpuRoot, _node.Cgroups.CpuacctRoot, _node.Cgroups.PidsRoot }.OfType<string>())
            {
                await Eventually.True(
                    () => File.ReadAllLines(Path.Combine(InstanceCgroupDir(root, key), "cgroup.procs")).Contains(pid),
                    $"the wrapper in {root}");
            }
        }
        else
        {
            var dir = InstanceCgroupDir(_node.Cgroups.UnifiedRoot!, key);
            File.ReadAllText(Path.Combine(dir, "memory.max")).Trim().ShouldBe((64L * 1024 * 1024).ToString(CultureInfo.InvariantCulture));
            File.ReadAllText(Path.Combine(dir, "cpu.max")).Trim().ShouldBe("50000 100000");
            await Eventually.True(() => File.ReadAllLines(Path.Combine(dir, "cgroup.procs")).Contains(pid), "the wrapper in its group");
        }

        report.StatusDetail.ShouldBeNull("limits applied: nothing to explain");
    }

    [Fact]
    public async Task A_process_allocating_beyond_its_memory_limit_is_reported_OOMKilled()
    {
        var id = ExecHarness.NewServiceId();
        var key = new InstanceKey(id, 0);
        var spec = ExecHarness.Shell(id, "x=$(head -c 200000000 /dev/zero | tr \"\\0\" a); echo survived") with
        {
            Memory = 32,
            RestartPolicy = RestartPolicy.Never,
        };

        await _node.DeployAsync(spec);

        if (_node.Cgroups.Mode == CgroupMode.V1)
        {
            File.ReadAllText(Path.Combine(InstanceCgroupDir(_node.Cgroups.MemoryRoot!, key), "memory.limit_in_bytes")).Trim()
                .ShouldBe((32L * 1024 * 1024).ToString(CultureInfo.InvariantCulture));
        }

        var dead = await _node.WaitForStatusAsync(key, InstanceStatus.Dead);
        dead.StatusDetail.ShouldNotBeNull().ShouldContain("OOMKilled");
        dead.ExitCode.ShouldBe(137);
        (await _node.Runtime.ReadLogsAsync(key, 10, CancellationToken.None)).ShouldNotBeNull().ShouldNotContain("survived");
    }

    [Fact]
    public async Task Stats_come_from_the_instance_cgroup()
    {
        var id = ExecHarness.NewServiceId();
        var key = new InstanceKey(id, 0);

        // A busy loop for CPU, and a shell holding ~20 MB for memory.
        await _node.DeployAsync(ExecHarness.Shell(id, "x=$(head -c 20000000 /dev/zero | tr \"\\0\" a); while :; do :; done"));
        await _node.Runtime.StatsAsync(key, CancellationToken.None);

        var stats = await Eventually.UntilAsync(
            async () => await _node.Runtime.StatsAsync(key, CancellationToken.None),
            s => s is { CpuPercent: > 5, MemoryMb: > 15 },
            "CPU and memory use");

        stats!.Value.CpuPercent.ShouldBeLessThanOrEqualTo(100.0 + 1);
        stats.Value.MemoryMb.ShouldBeLessThan(500);
    }
}
