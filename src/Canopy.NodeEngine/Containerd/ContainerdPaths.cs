namespace Canopy.NodeEngine.Containerd;

/// <summary>Everything of Canopy's own containerd lives in <c>&lt;DataDir&gt;/containerd/</c>: removing that directory removes it all.</summary>
internal sealed class ContainerdPaths(string dir)
{
    /// <summary>A unix socket path is limited to 107 bytes (sun_path); containerd also binds <c>&lt;socket&gt;.ttrpc</c>.</summary>
    public const int MaxSocketPath = 100;

    public string Dir { get; } = dir;

    public string Config { get; } = Path.Combine(dir, "config.toml");

    public string Socket { get; } = Path.Combine(dir, "containerd.sock");

    /// <summary>Images, snapshots and metadata (containerd's <c>root</c>).</summary>
    public string Root { get; } = Path.Combine(dir, "root");

    /// <summary>Runtime state: bundles, pod network namespaces, sandbox /dev/shm mounts (containerd's <c>state</c>).</summary>
    public string State { get; } = Path.Combine(dir, "state");

    public string CniConfDir { get; } = Path.Combine(dir, "cni");

    public string CniConfList { get; } = Path.Combine(dir, "cni", "10-canopy.conflist");

    /// <summary>host-local's address leases, kept out of the host's /var/lib/cni/networks.</summary>
    public string CniIpamDir { get; } = Path.Combine(dir, "cni-ipam");

    /// <summary>containerd's registry <c>config_path</c>: one <c>&lt;host&gt;/hosts.toml</c> per configured registry.</summary>
    public string CertsDir { get; } = Path.Combine(dir, "certs.d");

    public string Log { get; } = Path.Combine(dir, "containerd.log");

    public string PidFile { get; } = Path.Combine(dir, "containerd.pid");

    /// <summary>The pause image as a docker-archive tar, written only to import it.</summary>
    public string PauseArchive { get; } = Path.Combine(dir, "pause.tar");

    public string HostsToml(string registry) => Path.Combine(CertsDir, registry, "hosts.toml");
}
