namespace Canopy.NodeEngine.Cgroups;

public enum CgroupMode
{
    /// <summary>No usable cgroup controllers: instances run without limits or per-instance stats.</summary>
    None,

    /// <summary>Legacy hierarchy: one mount per controller (<c>memory</c>, <c>cpu</c> or <c>cpu,cpuacct</c>, ...).</summary>
    V1,

    /// <summary>Unified hierarchy with the memory and cpu controllers.</summary>
    V2,
}

/// <summary>
/// Where the controllers are mounted on this host, read once from <c>/proc/self/mounts</c>: the mount directory of
/// a v1 controller is not fixed (<c>cpu</c> and <c>cpuacct</c> may share <c>cpu,cpuacct</c> or be mounted apart).
/// </summary>
public sealed class CgroupLayout
{
    public static readonly CgroupLayout Unavailable = new(CgroupMode.None, null, null, null, null, null);

    private CgroupLayout(CgroupMode mode, string? memory, string? cpu, string? cpuacct, string? pids, string? unified)
    {
        Mode = mode;
        MemoryRoot = memory;
        CpuRoot = cpu;
        CpuacctRoot = cpuacct;
        PidsRoot = pids;
        UnifiedRoot = unified;
    }

    public CgroupMode Mode { get; }
    public string? MemoryRoot { get; }
    public string? CpuRoot { get; }
    public string? CpuacctRoot { get; }
    public string? PidsRoot { get; }
    public string? UnifiedRoot { get; }

    public static CgroupLayout Detect()
    {
        try
        {
            return Parse(File.ReadAllText("/proc/self/mounts"), dir => File.Exists(Path.Combine(dir, "cgroup.controllers"))
                ? File.ReadAllText(Path.Combine(dir, "cgroup.controllers"))
                : "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Unavailable;
        }
    }

    /// <summary>Chooses v1 when the memory controller is mounted there, else v2 when the unified tree has memory and cpu.</summary>
    public static CgroupLayout Parse(string mounts, Func<string, string> readControllers)
    {
        string? memory = null, cpu = null, cpuacct = null, pids = null, unified = null;
        foreach (var line in mounts.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            if (fields.Length < 4)
            {
                continue;
            }

            var dir = fields[1];
            if (fields[2] == "cgroup2")
            {
                var controllers = readControllers(dir).Split(' ', '\n');
                if (controllers.Contains("memory") && controllers.Contains("cpu"))
                {
                    unified ??= dir;
                }

                continue;
            }

            if (fields[2] != "cgroup")
            {
                continue;
            }

            foreach (var option in fields[3].Split(','))
            {
                switch (option)
                {
                    case "memory": memory ??= dir; break;
                    case "cpu": cpu ??= dir; break;
                    case "cpuacct": cpuacct ??= dir; break;
                    case "pids": pids ??= dir; break;
                }
            }
        }

        if (memory is not null)
        {
            return new CgroupLayout(CgroupMode.V1, memory, cpu, cpuacct, pids, null);
        }

        return unified is not null ? new CgroupLayout(CgroupMode.V2, null, null, null, null, unified) : Unavailable;
    }
}
