namespace Canopy.NodeEngine.Runtimes.Exec;

/// <summary>The files of one exec instance in <c>&lt;DataDir&gt;/instances/&lt;service_id&gt;.&lt;n&gt;/</c>.</summary>
internal sealed class ExecPaths(string dir)
{
    public string Dir { get; } = dir;

    /// <summary>The <see cref="Contracts.ServiceSpec"/> it was deployed with, to start it again after a node engine restart.</summary>
    public string Spec { get; } = Path.Combine(dir, "spec.json");

    /// <summary><see cref="ExecState"/>: pid, start time, restart count, status.</summary>
    public string State { get; } = Path.Combine(dir, "state.json");

    /// <summary>stdout and stderr of the workload (and of the wrapper), appended.</summary>
    public string Log { get; } = Path.Combine(dir, "stdout.log");

    public string RotatedLog { get; } = Path.Combine(dir, "stdout.log.1");

    /// <summary>Written by the wrapper when the workload returns: its exit status, which outlives the node engine.</summary>
    public string Exit { get; } = Path.Combine(dir, "exit");

    /// <summary>The <c>cgroup.procs</c> files the wrapper joins, one a line.</summary>
    public string Cgroups { get; } = Path.Combine(dir, "cgroups");
}
