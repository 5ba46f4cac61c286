using System.Text;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine.Tests.Units;

public sealed class ParsingTests
{
    [Fact]
    public void Proc_stat_start_time_survives_a_command_name_with_spaces_and_parentheses()
    {
        var line = "4242 (we ird) (name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1234567 100 18446744073709551615";

        var stat = ProcessStat.Parse(Encoding.ASCII.GetBytes(line)).ShouldNotBeNull();

        stat.State.ShouldBe('S');
        stat.StartTime.ShouldBe(987654UL);
        stat.HasExited.ShouldBeFalse();
        ProcessStat.Parse(Encoding.ASCII.GetBytes("1 (z) Z 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0")).ShouldNotBeNull().HasExited.ShouldBeTrue();
    }

    [Fact]
    public void Own_process_is_alive_by_its_start_time()
    {
        var path = ProcessStat.PathOf(Environment.ProcessId);
        var stat = ProcessStat.Read(path).ShouldNotBeNull();

        ProcessStat.IsAlive(path, stat.StartTime).ShouldBeTrue();
        ProcessStat.IsAlive(path, stat.StartTime + 1).ShouldBeFalse("a reused pid has another start time");
        ProcessStat.IsAlive(ProcessStat.PathOf(int.MaxValue), stat.StartTime).ShouldBeFalse();
    }

    [Fact]
    public void Keyed_kernel_files_are_read_by_line_start()
    {
        var text = "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"u8;

        ProcFs.FindKeyed(text, "oom_kill"u8).ShouldBe(3);
        ProcFs.FindKeyed(text, "under_oom"u8).ShouldBe(0);
        ProcFs.FindKeyed(text, "absent"u8).ShouldBeNull();
        ProcFs.FindKeyed("MemTotal:       24684412 kB\nMemFree: 1 kB"u8, "MemTotal"u8).ShouldBe(24684412);
    }

    [Fact]
    public void Cgroup_v1_with_separate_cpu_and_cpuacct_mounts()
    {
        const string mounts = """
            tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
            cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
            cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0
            cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0
            cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0
            cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
            """;

        var layout = CgroupLayout.Parse(mounts, _ => "");

        layout.Mode.ShouldBe(CgroupMode.V1);
        layout.CpuRoot.ShouldBe("/sys/fs/cgroup/cpu");
        layout.CpuacctRoot.ShouldBe("/sys/fs/cgroup/cpuacct");
        layout.MemoryRoot.ShouldBe("/sys/fs/cgroup/memory");
        layout.PidsRoot.ShouldBe("/sys/fs/cgroup/pids");
    }

    [Fact]
    public void Cgroup_v1_with_a_shared_cpu_cpuacct_mount_gets_one_directory_for_both()
    {
        const string mounts = """
            cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0
            cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0
            """;

        var layout = CgroupLayout.Parse(mounts, _ => "");
        var group = new InstanceCgroup(layout, "canopy", "abc.0");

        layout.CpuRoot.ShouldBe("/sys/fs/cgroup/cpu,cpuacct");
        layout.CpuacctRoot.ShouldBe(layout.CpuRoot);
        group.Directories.ShouldBe(["/sys/fs/cgroup/memory/canopy/abc.0", "/sys/fs/cgroup/cpu,cpuacct/canopy/abc.0"]);
        group.ProcsFiles.ShouldBe(["/sys/fs/cgroup/memory/canopy/abc.0/cgroup.procs", "/sys/fs/cgroup/cpu,cpuacct/canopy/abc.0/cgroup.procs"]);
    }

    [Fact]
    public void Cgroup_v2_needs_the_memory_and_cpu_controllers()
    {
        const string mounts = "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n";

        CgroupLayout.Parse(mounts, _ => "cpuset cpu io memory pids\n").Mode.ShouldBe(CgroupMode.V2);
        CgroupLayout.Parse(mounts, _ => "cpuset cpu io memory pids\n").UnifiedRoot.ShouldBe("/sys/fs/cgroup");
        CgroupLayout.Parse(mounts, _ => "hugetlb\n").Mode.ShouldBe(CgroupMode.None);
        new InstanceCgroup(CgroupLayout.Parse(mounts, _ => "cpu memory"), "canopy", "x.1").Directories.ShouldBe(["/sys/fs/cgroup/canopy/x.1"]);
    }

    [Theory]
    [InlineData("65f0c0ffee0123456789abcd.0", "65f0c0ffee0123456789abcd", 0)]
    [InlineData("svc_a-1.12", "svc_a-1", 12)]
    public void Instance_directory_names_parse(string name, string serviceId, int number)
    {
        InstanceKey.TryParse(name, out var key).ShouldBeTrue();
        key.ShouldBe(new InstanceKey(serviceId, number));
        key.ToString().ShouldBe(name);
    }

    [Theory]
    [InlineData("noinstance")]
    [InlineData(".0")]
    [InlineData("a.b.0")]
    [InlineData("abc.-1")]
    [InlineData("abc.x")]
    public void Other_directory_names_do_not(string name) => InstanceKey.TryParse(name, out _).ShouldBeFalse();

    [Theory]
    [InlineData(137, "SIGKILL")]
    [InlineData(143, "SIGTERM")]
    [InlineData(139, "SIGSEGV")]
    [InlineData(0, null)]
    [InlineData(127, null)]
    [InlineData(255, null)]
    public void Exit_codes_above_128_name_their_signal(int code, string? signal) => Signals.FromExitCode(code).ShouldBe(signal);

    [Fact]
    public async Task Operations_on_one_instance_run_in_the_order_asked()
    {
        var queue = new KeyedSerialQueue();
        var key = new InstanceKey("svc", 0);
        var order = new List<string>();
        var gate = new TaskCompletionSource();

        var slow = queue.Enqueue(key, async () =>
        {
            await gate.Task;
            lock (order) { order.Add("deploy"); }
            return 1;
        });
        var fast = queue.Enqueue(key, () =>
        {
            lock (order) { order.Add("delete"); }
            return Task.FromResult(2);
        });
        var other = queue.Enqueue(new InstanceKey("svc", 1), () =>
        {
            lock (order) { order.Add("other"); }
            return Task.FromResult(3);
        });

        await other;
        gate.SetResult();
        await Task.WhenAll(slow, fast);

        order.ShouldBe(["other", "deploy", "delete"]);
    }
}
