namespace Canopy.NodeEngine.Runtimes;

/// <summary>
/// The files every runtime keeps in an instance's directory: what a node engine restart rebuilds the instance from,
/// and its output with one rotated copy.
/// </summary>
internal abstract class InstancePaths(string dir, string logFile)
{
    public string Dir { get; } = dir;

    /// <summary>The <see cref="Contracts.ServiceSpec"/> it was deployed with, to start it again after a node engine restart.</summary>
    public string Spec { get; } = Path.Combine(dir, "spec.json");

    /// <summary>The runtime's <see cref="InstanceState"/> record: status, restart count and what it runs as.</summary>
    public string State { get; } = Path.Combine(dir, "state.json");

    /// <summary>The workload's output, appended across restarts.</summary>
    public string Log { get; } = Path.Combine(dir, logFile);

    public string RotatedLog { get; } = Path.Combine(dir, logFile + ".1");
}
