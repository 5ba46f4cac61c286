namespace Canopy.NodeEngine.Runtimes.Container;

/// <summary>
/// The files of one container instance in <c>&lt;DataDir&gt;/containers/&lt;service_id&gt;.&lt;n&gt;/</c>, which is also
/// its pod's log directory: deleting it removes the instance's last trace.
/// </summary>
internal sealed class ContainerPaths(string dir)
{
    public string Dir { get; } = dir;

    /// <summary>The <see cref="Contracts.ServiceSpec"/> it was deployed with: what a node engine restart rebuilds it from.</summary>
    public string Spec { get; } = Path.Combine(dir, "spec.json");

    /// <summary><see cref="ContainerInstanceState"/>: status, restart count, sandbox and container ids.</summary>
    public string State { get; } = Path.Combine(dir, "state.json");

    /// <summary>Written by containerd in the CRI log format, appended across restarts.</summary>
    public string Log { get; } = Path.Combine(dir, PodSpecs.LogFile);

    public string RotatedLog { get; } = Path.Combine(dir, PodSpecs.LogFile + ".1");
}
