namespace Canopy.NodeEngine;

/// <summary>Everything the node engine is told at start; the CLI builds it from flags, environment and config file.</summary>
public sealed class NodeEngineOptions
{
    /// <summary>
    /// The node's own directory: <c>node.json</c> (its id), <c>instances/</c> (exec), <c>containers/</c> (container
    /// instances: spec, state, logs) and <c>containerd/</c> (Canopy's own containerd: config, socket, root, state, CNI).
    /// </summary>
    public required string DataDir { get; set; }

    /// <summary>
    /// The cluster's API. A comma list names the places one cluster may run (its machine and a standby that takes over its data):
    /// the node registers at the first that answers, and registers again elsewhere when its cluster stays unreachable.
    /// </summary>
    public string ClusterUrl { get; set; } = "https://127.0.0.1:10100";

    /// <summary>The addresses in <see cref="ClusterUrl"/>, in order.</summary>
    public IReadOnlyList<string> ClusterUrls() =>
        ClusterUrl.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } urls ? urls : [ClusterUrl];

    /// <summary>
    /// As the cluster hands it out: <c>&lt;secret&gt;.sha256:&lt;pin of the cluster's CA&gt;</c>. The node checks the cluster's certificate
    /// against the pin before it sends anything, and keeps the pin (node.json) for later starts. A bare secret only for a plain-http cluster.
    /// </summary>
    public string JoinToken { get; set; } = "";

    /// <summary>The node's name (what <c>direct</c> constraints match); the host name when not set.</summary>
    public string? Name { get; set; }

    /// <summary>"lat,long" for geo placement, as the cluster expects it.</summary>
    public string? Location { get; set; }

    /// <summary>The address other nodes and clients reach this node at; the one facing the cluster when not set.</summary>
    public string? AdvertisedIp { get; set; }

    /// <summary>
    /// How often resources and the inventory are sampled; <c>information</c> and <c>jobs/resources</c> are published only when they
    /// changed materially (or their refresh interval passed): liveness is the MQTT keep-alive (<see cref="KeepAlive"/>), not these.
    /// </summary>
    public TimeSpan InformationInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The MQTT keep-alive, whole seconds (1-65535; <c>Node:KeepAlive</c>, <c>CANOPY_KEEPALIVE</c>, e.g. <c>00:00:02</c>). It is the
    /// node's liveness signal: an idle node sends one PINGREQ per keep-alive, and the broker drops a silent node after 1.5 × it
    /// (a cut link, a frozen or powered-off host) and publishes its last will, which makes the cluster move its instances.
    /// 2 s: 24 bytes/s idle over TLS, a cut link seen 3.25 s after the node's last packet by a cluster watching its broker.
    /// Not 1 s: Debian 12's Mosquitto 2.0.11 compares whole seconds, 1 × 3 / 2 rounds down to 1, and it then drops a node whose ping
    /// is a few milliseconds late across a second boundary (seen as random disconnects in the end-to-end tests).
    /// </summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary><c>information</c> is sent at least this often even without a change (clock-skew check, fallback liveness).</summary>
    public TimeSpan InformationRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary><c>jobs/resources</c> is sent at least this often even without a change: a lost deploy or delete heals within it.</summary>
    public TimeSpan InventoryRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The parent cgroup of every instance (<c>/sys/fs/cgroup/memory/&lt;CgroupName&gt;/&lt;service_id&gt;.&lt;n&gt;</c>).</summary>
    public string CgroupName { get; set; } = "canopy";

    /// <summary>An instance's <c>stdout.log</c> is rotated (one <c>.1</c> file kept) beyond this size.</summary>
    public long LogMaxBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Time between SIGTERM and SIGKILL when an instance is stopped.</summary>
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// False (default): instances keep running while the node engine is down and are adopted at its next start.
    /// True: they are stopped with it, their specs kept, and started again at its next start.
    /// </summary>
    public bool StopInstancesOnShutdown { get; set; }

    /// <summary>Non-canonical resources and labels reported as extra keys (numbers as numbers; "a,b" lists stay strings).</summary>
    public Dictionary<string, string> Resources { get; set; } = new();

    /// <summary>
    /// The socket of a containerd the operator runs (CRI plugin enabled, CNI and sandbox image configured by them).
    /// When set, Canopy never starts or configures a containerd; it only uses this one.
    /// </summary>
    public string? ContainerdSocket { get; set; }

    /// <summary>
    /// Without <see cref="ContainerdSocket"/>: run Canopy's own containerd (config, CNI and pause image under
    /// <c>&lt;DataDir&gt;/containerd/</c>) when <see cref="ContainerdPath"/> is installed. False: the node offers exec only.
    /// </summary>
    public bool StartContainerd { get; set; } = true;

    /// <summary>The containerd binary; a bare name is looked up in PATH (and /usr/bin, /usr/local/bin, /usr/sbin).</summary>
    public string ContainerdPath { get; set; } = "containerd";

    /// <summary>
    /// The statically linked busybox Canopy's own containerd gets its pause image from (Debian's busybox-static). A missing or
    /// dynamically linked one leaves the node without the <c>container</c> runtime, and the node says why.
    /// </summary>
    public string BusyboxPath { get; set; } = Containerd.PauseImage.DefaultBusybox;

    /// <summary>The /26 for this node's containers (e.g. <c>10.18.0.64/26</c>); normally the cluster's registration answer gives it.</summary>
    public string? Subnet { get; set; }

    /// <summary>
    /// Where nodes on this machine record what they created in the kernel (bridge, subnet, CNI rules) and hold a lock while
    /// they run: a node that starts removes what nodes whose data dir is gone left behind, and never a live node's.
    /// </summary>
    public string NetworkStateDir { get; set; } = Network.HostNetwork.DefaultStateDir;

    /// <summary>
    /// False (default): exec workloads run as an unprivileged uid of their own (no new privileges, no groups), so whoever may
    /// deploy does not own the node. True: the operator lets them run as root on this node (what the node engine runs as).
    /// </summary>
    public bool ExecAsRoot { get; set; }

    /// <summary>
    /// False (default): containers get no privileged mode and none of the host's namespaces (network, pid, ipc). True: the
    /// operator allows SLAs on this node to ask for them.
    /// </summary>
    public bool AllowPrivileged { get; set; }

    /// <summary>Of <paramref name="runtimes"/>, those that take privileged workloads on this node; null when none (as reported).</summary>
    public IReadOnlyList<string>? PrivilegedRuntimes(IReadOnlyList<string> runtimes)
    {
        var allowed = runtimes.Where(r => r switch
        {
            Core.Descriptors.Virtualizations.Exec => ExecAsRoot,
            Core.Descriptors.Virtualizations.Container => AllowPrivileged,
            _ => false,
        }).ToList();
        return allowed.Count > 0 ? allowed : null;
    }

    /// <summary>The QEMU binary of the <c>vm</c> runtime (Debian <c>qemu-system-x86</c>); a bare name is looked up in PATH.</summary>
    public string QemuPath { get; set; } = "qemu-system-x86_64";

    /// <summary>
    /// <c>auto</c> (default): guests run under KVM when a probe boot shows KVM really runs a Linux kernel here, else under TCG
    /// (emulated, slow). <c>kvm</c> or <c>tcg</c>: that one, untested.
    /// </summary>
    public string VmAccelerator { get; set; } = "auto";

    /// <summary>False: a node where KVM does not work does not offer the <c>vm</c> runtime at all, rather than run guests under TCG.</summary>
    public bool VmAllowTcg { get; set; } = true;

    /// <summary>The Linux kernel (bzImage) the KVM probe boots; when unset, the host's own, else the first a vm instance boots.</summary>
    public string? VmProbeKernel { get; set; }

    /// <summary>Guest memory in MB when the SLA sets none.</summary>
    public int VmDefaultMemoryMb { get; set; } = 128;

    /// <summary>
    /// The least memory a guest gets, whatever the SLA says: Debian's kernel does not even decompress itself in 64 MB (QEMU
    /// just resets). The instance's cgroup limit grows with it.
    /// </summary>
    public int VmMinimumMemoryMb { get; set; } = 96;

    /// <summary>
    /// The time a guest has from QEMU's start until it is up (its port answers, or it printed on its console): generous,
    /// since a busy node boots a Linux guest under TCG in several seconds. A guest still not up fails for good.
    /// </summary>
    public TimeSpan VmBootTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Fetching a runtime's file (wasm module, kernel): time to get a TCP connection to the URL's or registry's host.</summary>
    public TimeSpan ArtifactConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Fetching a runtime's file: time the server may take to answer a request, or stay silent in the middle of a body.</summary>
    public TimeSpan ArtifactAnswerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Fetching a runtime's file: the whole download (manifest and blob), however the server behaves.</summary>
    public TimeSpan ArtifactDownloadTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The largest file a runtime fetches (a module, a kernel or initrd); a larger one fails the instance.</summary>
    public long ArtifactMaxBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>
    /// The most the artifact cache (<c>&lt;DataDir&gt;/artifacts/</c>) keeps, in MiB; beyond it, files no existing instance uses go,
    /// least recently used first. 0: no limit.
    /// </summary>
    public int ArtifactCacheMaxMb { get; set; } = 2048;

    /// <summary>
    /// The wasm runtime's host (<c>canopy-wasm</c>: Wasmtime, one process per instance). Null: <c>canopy-wasm</c> next to the
    /// running executable, where the canopy build puts it. Missing: the node does not offer <c>wasm</c>, and says why.
    /// </summary>
    public string? WasmHostPath { get; set; }

    /// <summary>
    /// A wasm module that traps this soon after its <c>_start</c> began is FAILED (a broken module: restarting cannot help);
    /// a later trap is DEAD with the trap's message, and the restart policy decides.
    /// </summary>
    public TimeSpan WasmStartWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wasm host to run: <see cref="WasmHostPath"/> or the one next to this executable.</summary>
    public string ResolvedWasmHostPath => WasmHostPath ?? Path.Combine(AppContext.BaseDirectory, "canopy-wasm");

    /// <summary>The node's name as reported and used in messages.</summary>
    public string NodeName => string.IsNullOrWhiteSpace(Name) ? Environment.MachineName : Name;

    public string InstancesDir => Path.Combine(DataDir, "instances");

    /// <summary>One directory per wasm instance (spec, state, module copy, log).</summary>
    public string WasmDir => Path.Combine(DataDir, "wasm");

    /// <summary>One directory per container instance (spec, state, logs).</summary>
    public string ContainersDir => Path.Combine(DataDir, "containers");

    /// <summary>One directory per vm instance (spec, state, console log, QMP socket, the kernel it boots).</summary>
    public string VmsDir => Path.Combine(DataDir, "vms");

    /// <summary>Canopy's own containerd: config, socket, root, state, CNI config and leases.</summary>
    public string ContainerdDir => Path.Combine(DataDir, "containerd");
}
