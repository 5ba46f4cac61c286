using System.Globalization;
using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine.Cgroups;

/// <summary>
/// One instance's cgroup: <c>&lt;controller&gt;/&lt;group&gt;/&lt;instance&gt;</c> under each v1 controller, or one directory
/// of the v2 tree. Holds the limits, the membership the wrapper joins, the stats and the OOM counter.
/// All paths are built once so that the 2 s stats do not allocate.
/// </summary>
public sealed class InstanceCgroup
{
    private const long CpuPeriodUs = 100_000;

    private readonly CgroupMode _mode;
    private readonly string[] _dirs;
    private readonly string? _groupDirV2;
    private readonly string? _memoryDir;
    private readonly string? _cpuDir;
    private readonly string? _cpuUsageFile;
    private readonly string? _memoryUsageFile;
    private readonly string? _memoryStatFile;
    private readonly string? _oomFile;
    private readonly string? _failcntFile;

    public InstanceCgroup(CgroupLayout layout, string groupName, string instanceName)
    {
        _mode = layout.Mode;
        switch (layout.Mode)
        {
            case CgroupMode.V1:
                _memoryDir = Path.Combine(layout.MemoryRoot!, groupName, instanceName);
                _cpuDir = layout.CpuRoot is null ? null : Path.Combine(layout.CpuRoot, groupName, instanceName);
                var cpuacctDir = layout.CpuacctRoot is null ? null : Path.Combine(layout.CpuacctRoot, groupName, instanceName);
                var pidsDir = layout.PidsRoot is null ? null : Path.Combine(layout.PidsRoot, groupName, instanceName);
                _dirs = new[] { _memoryDir, _cpuDir, cpuacctDir, pidsDir }.OfType<string>().Distinct().ToArray();
                _cpuUsageFile = cpuacctDir is null ? null : Path.Combine(cpuacctDir, "cpuacct.usage");
                _memoryUsageFile = Path.Combine(_memoryDir, "memory.usage_in_bytes");
                _memoryStatFile = Path.Combine(_memoryDir, "memory.stat");
                _oomFile = Path.Combine(_memoryDir, "memory.oom_control");
                _failcntFile = Path.Combine(_memoryDir, "memory.failcnt");
                break;
            case CgroupMode.V2:
                _groupDirV2 = Path.Combine(layout.UnifiedRoot!, groupName);
                _memoryDir = _cpuDir = Path.Combine(_groupDirV2, instanceName);
                _dirs = [_memoryDir];
                _cpuUsageFile = Path.Combine(_memoryDir, "cpu.stat");
                _memoryUsageFile = Path.Combine(_memoryDir, "memory.current");
                _memoryStatFile = Path.Combine(_memoryDir, "memory.stat");
                _oomFile = Path.Combine(_memoryDir, "memory.events");
                break;
            default:
                _dirs = [];
                break;
        }

        ProcsFiles = _dirs.Select(d => Path.Combine(d, "cgroup.procs")).ToArray();
    }

    /// <summary>The <c>cgroup.procs</c> files the wrapper writes its pid into (empty when cgroups are unusable).</summary>
    public IReadOnlyList<string> ProcsFiles { get; private set; }

    /// <summary>Directories this instance owns (one per v1 controller).</summary>
    public IReadOnlyList<string> Directories => _dirs;

    public bool IsUsable => ProcsFiles.Count > 0;

    /// <summary>
    /// Creates the directories and writes the limits (0 = none; a reused directory gets "unlimited" written back).
    /// Returns null on success, else why the instance runs without limits (not root, read-only cgroupfs...).
    /// </summary>
    public string? Setup(int memoryMb, double vcpus)
    {
        if (_mode == CgroupMode.None)
        {
            ProcsFiles = [];
            return "running without cgroup limits: no usable cgroup controllers on this node";
        }

        if (!LibC.IsRoot)
        {
            ProcsFiles = [];
            return "running without cgroup limits: the node engine is not root";
        }

        try
        {
            if (_mode == CgroupMode.V1)
            {
                SetupV1(memoryMb, vcpus);
            }
            else
            {
                SetupV2(memoryMb, vcpus);
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ProcsFiles = [];
            return $"running without cgroup limits: {e.Message}";
        }
    }

    private void SetupV1(int memoryMb, double vcpus)
    {
        foreach (var dir in _dirs)
        {
            Directory.CreateDirectory(dir);
        }

        var bytes = memoryMb > 0 ? ((long)memoryMb * 1024 * 1024).ToString(CultureInfo.InvariantCulture) : "-1";

        // memsw (memory + swap) may not be lower than the memory limit: lift it first, then tie it to the limit so that
        // swapping cannot stretch the limit. It is absent without swap accounting, hence optional.
        var memsw = Path.Combine(_memoryDir!, "memory.memsw.limit_in_bytes");
        TryWrite(memsw, "-1");
        File.WriteAllText(Path.Combine(_memoryDir!, "memory.limit_in_bytes"), bytes);
        TryWrite(memsw, bytes);

        if (_cpuDir is not null)
        {
            File.WriteAllText(Path.Combine(_cpuDir, "cpu.cfs_period_us"), CpuPeriodUs.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(_cpuDir, "cpu.cfs_quota_us"), QuotaUs(vcpus)?.ToString(CultureInfo.InvariantCulture) ?? "-1");
        }
    }

    private void SetupV2(int memoryMb, double vcpus)
    {
        // Controllers must be enabled in every parent's subtree_control before a child group can use them.
        var root = Path.GetDirectoryName(_groupDirV2)!;
        File.WriteAllText(Path.Combine(root, "cgroup.subtree_control"), "+cpu +memory");
        Directory.CreateDirectory(_groupDirV2!);
        File.WriteAllText(Path.Combine(_groupDirV2!, "cgroup.subtree_control"), "+cpu +memory");
        TryWrite(Path.Combine(root, "cgroup.subtree_control"), "+pids");
        TryWrite(Path.Combine(_groupDirV2!, "cgroup.subtree_control"), "+pids");
        Directory.CreateDirectory(_memoryDir!);

        File.WriteAllText(Path.Combine(_memoryDir!, "memory.max"),
            memoryMb > 0 ? ((long)memoryMb * 1024 * 1024).ToString(CultureInfo.InvariantCulture) : "max");
        TryWrite(Path.Combine(_memoryDir!, "memory.swap.max"), memoryMb > 0 ? "0" : "max");
        File.WriteAllText(Path.Combine(_memoryDir!, "cpu.max"),
            $"{QuotaUs(vcpus)?.ToString(CultureInfo.InvariantCulture) ?? "max"} {CpuPeriodUs}");
    }

    private static long? QuotaUs(double vcpus) =>
        vcpus > 0 ? Math.Max(1000, (long)Math.Round(vcpus * CpuPeriodUs)) : null;

    private static void TryWrite(string path, string value)
    {
        try
        {
            if (File.Exists(path))
            {
                File.WriteAllText(path, value);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Optional knob: the mandatory ones are written without this guard.
        }
    }

    /// <summary>Total CPU time used by the instance's processes, nanoseconds.</summary>
    public long? ReadCpuUsageNs() => !IsUsable || _cpuUsageFile is null
        ? null
        : _mode == CgroupMode.V1
            ? ProcFs.ReadLong(_cpuUsageFile)
            : ProcFs.ReadKeyed(_cpuUsageFile, "usage_usec"u8) * 1000;

    /// <summary>Memory in use without the page cache (which the kernel reclaims before it kills), bytes.</summary>
    public long? ReadMemoryBytes()
    {
        if (!IsUsable || _memoryUsageFile is null)
        {
            return null;
        }

        var usage = ProcFs.ReadLong(_memoryUsageFile);
        if (usage is not { } used)
        {
            return null;
        }

        var cache = ProcFs.ReadKeyed(_memoryStatFile!, _mode == CgroupMode.V1 ? "total_cache"u8 : "file"u8) ?? 0;
        return Math.Max(0, used - cache);
    }

    /// <summary>How often the kernel's OOM killer struck in this group so far (a counter: compare with the value at start).</summary>
    public long ReadOomKills()
    {
        if (!IsUsable || _oomFile is null)
        {
            return 0;
        }

        if (ProcFs.ReadKeyed(_oomFile, "oom_kill"u8) is { } kills)
        {
            return kills;
        }

        // Kernels before 4.13 have no oom_kill counter; hitting the limit is the closest hint.
        return _failcntFile is null ? 0 : ProcFs.ReadLong(_failcntFile) ?? 0;
    }

    /// <summary>The pids in the group now (empty when cgroups are unusable).</summary>
    public IReadOnlyList<int> ReadPids()
    {
        if (!IsUsable)
        {
            return [];
        }

        try
        {
            return File.ReadAllText(ProcsFiles[0])
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
                .Where(pid => pid > 1)
                .ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>SIGKILLs whatever is left in the group: processes that left the wrapper's process group are caught here.</summary>
    public async Task KillAllAsync(CancellationToken ct)
    {
        if (!IsUsable)
        {
            return;
        }

        var killFile = _mode == CgroupMode.V2 ? Path.Combine(_memoryDir!, "cgroup.kill") : null;
        for (var round = 0; round < 50; round++)
        {
            var pids = ReadPids();
            if (pids.Count == 0)
            {
                return;
            }

            if (killFile is not null && File.Exists(killFile))
            {
                TryWrite(killFile, "1");
            }
            else
            {
                foreach (var pid in pids)
                {
                    LibC.Kill(pid, LibC.SigKill);
                }
            }

            // A fork may race the kill; the next round catches the child.
            await Task.Delay(20, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Removes the instance's directories (rmdir; the kernel refuses while processes are still leaving).</summary>
    public async Task<bool> RemoveAsync(CancellationToken ct)
    {
        var removed = true;
        foreach (var dir in _dirs)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    if (Directory.Exists(dir))
                    {
                        Directory.Delete(dir, recursive: false);
                    }

                    break;
                }
                catch (IOException) when (attempt < 50)
                {
                    await Task.Delay(20, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    removed = false;
                    break;
                }
            }
        }

        return removed;
    }
}
