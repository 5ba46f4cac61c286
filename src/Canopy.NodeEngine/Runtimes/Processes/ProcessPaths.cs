namespace Canopy.NodeEngine.Runtimes.Processes;

/// <summary>The files of one process instance in its runtime's directory (exec: <c>&lt;DataDir&gt;/instances/&lt;service_id&gt;.&lt;n&gt;/</c>); stdout and stderr of the workload (and of the wrapper) go to its log.</summary>
internal sealed class ProcessPaths(string dir) : InstancePaths(dir, "stdout.log")
{
    /// <summary>Written by the wrapper when the workload returns: its exit status, which outlives the node engine.</summary>
    public string Exit { get; } = Path.Combine(dir, "exit");

    /// <summary>The <c>cgroup.procs</c> files the wrapper joins, one a line.</summary>
    public string Cgroups { get; } = Path.Combine(dir, "cgroups");

    /// <summary>
    /// The workload's own directory (HOME and working directory), the only one it may write: the instance directory itself
    /// stays the node engine's, which writes there as root and must never follow a link the workload planted.
    /// </summary>
    public string Home { get; } = Path.Combine(dir, "home");

    /// <summary>The instance's names (<see cref="NetManager.InstanceHosts"/>), mounted over /etc/hosts for the workload when present.</summary>
    public string Hosts { get; } = Path.Combine(dir, NetManager.InstanceHosts.FileName);
}
