namespace Canopy.NodeEngine.Runtimes.Container;

/// <summary>
/// The files of one container instance in <c>&lt;DataDir&gt;/containers/&lt;service_id&gt;.&lt;n&gt;/</c>, which is also
/// its pod's log directory: deleting it removes the instance's last trace. containerd writes the log in the CRI format.
/// </summary>
internal sealed class ContainerPaths(string dir) : InstancePaths(dir, PodSpecs.LogFile);
