using System.Globalization;
using Canopy.NodeEngine.Cgroups;

namespace Canopy.Benchmarks;

/// <summary>
/// The instances' parent cgroup (the node's <c>CgroupName</c>) with a memory limit: a small device's memory for its
/// instances. Every instance cgroup a runtime creates sits below it (containers through containerd's cgroup parent), so
/// the kernel charges them all to it and OOM-kills inside it once it is full. cgroup v1 (memory controller) or v2.
/// </summary>
internal sealed class DeviceCgroup : IDisposable
{
    private readonly string _dir;
    private readonly bool _v2;
    private readonly string _mount;

    private DeviceCgroup(string dir, bool v2, int limitMb)
    {
        _dir = dir;
        _v2 = v2;
        _mount = Path.GetDirectoryName(dir)!;
        LimitMb = limitMb;
    }

    public int LimitMb { get; }

    public static DeviceCgroup Create(CgroupLayout layout, string name, int limitMb)
    {
        var bytes = (limitMb * 1024L * 1024L).ToString(CultureInfo.InvariantCulture);
        switch (layout.Mode)
        {
            case CgroupMode.V1:
                var v1 = Path.Combine(layout.MemoryRoot!, name);
                Directory.CreateDirectory(v1);
                File.WriteAllText(Path.Combine(v1, "memory.limit_in_bytes"), bytes);
                return new DeviceCgroup(v1, v2: false, limitMb);
            case CgroupMode.V2:
                var v2 = Path.Combine(layout.UnifiedRoot!, name);
                Directory.CreateDirectory(v2);
                File.WriteAllText(Path.Combine(v2, "memory.max"), bytes);
                File.WriteAllText(Path.Combine(v2, "memory.swap.max"), "0");
                return new DeviceCgroup(v2, v2: true, limitMb);
            default:
                throw new InvalidOperationException("no usable memory cgroup on this machine: the benchmark caps the instances' memory with one");
        }
    }

    /// <summary>Memory charged to all the instances now, in MB.</summary>
    public double UsageMb => Read(_v2 ? "memory.current" : "memory.usage_in_bytes") / 1024.0 / 1024.0;

    /// <summary>How many processes the kernel OOM-killed inside it so far.</summary>
    public long OomKills => File.ReadLines(Path.Combine(_dir, _v2 ? "memory.events" : "memory.oom_control"))
        .Select(l => l.Split(' '))
        .Where(f => f.Length == 2 && f[0] == "oom_kill")
        .Select(f => long.Parse(f[1], CultureInfo.InvariantCulture))
        .FirstOrDefault();

    /// <summary>The processes of a child group (a container's, named by its id under the cgroup parent).</summary>
    public IEnumerable<int> ProcessesOf(string group)
    {
        var procs = Path.Combine(_dir, group, "cgroup.procs");
        return File.Exists(procs)
            ? File.ReadAllLines(procs).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray()
            : [];
    }

    /// <summary>
    /// Starts the next runtime's count from an empty cap: the child groups the last one left go (their charges move up)
    /// and the kernel reclaims what is charged (page cache, a dead shim's memory). Best effort: on the machine of
    /// docs/benchmarks.md the reclaim left containerd's image pages charged, hence the container line runs last.
    /// </summary>
    public void Reclaim()
    {
        foreach (var child in Directory.EnumerateDirectories(_dir).Where(d => Path.GetFileName(d) is "containerd" or "shims"))
        {
            try
            {
                Directory.Delete(child);
            }
            catch (IOException)
            {
                // Still holds a process: it stays.
            }
        }

        try
        {
            File.WriteAllText(Path.Combine(_dir, _v2 ? "memory.reclaim" : "memory.force_empty"), _v2 ? $"{LimitMb}M" : "0");
        }
        catch (IOException)
        {
            // Busy or not supported: the count starts over what is left, and says so.
        }
    }

    /// <summary>
    /// Moves a process into the child group <paramref name="group"/> for what it does next (the processes it starts stay
    /// there); returns where it was, for <see cref="Return"/>. Memory it holds already stays charged where it was.
    /// </summary>
    public string Admit(int pid, string group)
    {
        var was = MemoryGroupOf(pid);
        var dir = Path.Combine(_dir, group);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
        return was;
    }

    /// <summary>Moves a process back to the group <see cref="Admit"/> took it from; false when it is gone (OOM-killed under the cap).</summary>
    public bool Return(int pid, string group)
    {
        try
        {
            File.WriteAllText(Path.Combine(_mount, group.TrimStart('/'), "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The process's memory cgroup path ("/canopy-bench-1/..."), from /proc/&lt;pid&gt;/cgroup.</summary>
    private string MemoryGroupOf(int pid) =>
        File.ReadLines($"/proc/{pid}/cgroup")
            .Select(l => l.Split(':', 3))
            .Where(f => f.Length == 3 && (_v2 ? f[0] == "0" : f[1].Split(',').Contains("memory")))
            .Select(f => f[2])
            .FirstOrDefault() ?? "";

    /// <summary>
    /// Removes its child groups and itself, and the same name under every other v1 controller (the runtimes and
    /// containerd created those for their cpu, pids... limits); the runtimes removed their instances' own groups.
    /// </summary>
    public void Dispose()
    {
        var mount = Path.GetDirectoryName(Path.GetDirectoryName(_dir))!;
        var name = Path.GetFileName(_dir);
        var groups = _v2 ? [_dir] : Directory.EnumerateDirectories(mount).Select(c => Path.Combine(c, name)).Where(Directory.Exists).ToArray();
        foreach (var dir in groups.SelectMany(g => Directory.EnumerateDirectories(g).Append(g)))
        {
            try
            {
                Directory.Delete(dir);
            }
            catch (IOException e)
            {
                Console.WriteLine($"  (cgroup {dir} not removed: {e.Message})");
            }
        }
    }

    private long Read(string file) => long.Parse(File.ReadAllText(Path.Combine(_dir, file)).Trim(), CultureInfo.InvariantCulture);
}
