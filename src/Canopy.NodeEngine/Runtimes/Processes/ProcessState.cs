namespace Canopy.NodeEngine.Runtimes.Processes;

/// <summary>What a node engine restart needs to know about a running (or ended) process instance; <c>state.json</c>.</summary>
internal sealed record ProcessState : InstanceState
{
    /// <summary>The wrapper's pid, which is also its process group id (it is a session leader).</summary>
    public int? Pid { get; init; }

    /// <summary>Field 22 of <c>/proc/&lt;pid&gt;/stat</c>: tells the same process from a later one with a reused pid.</summary>
    public ulong StartTime { get; init; }

    /// <summary>The cgroup's OOM-kill counter when the process started: a higher value at exit means it was OOM-killed.</summary>
    public long OomKillsAtStart { get; init; }

    /// <summary>The uid (and gid) the workload runs as (<see cref="WorkloadUser"/>); null for root. Kept so its files stay its own across restarts.</summary>
    public int? Uid { get; init; }
}
