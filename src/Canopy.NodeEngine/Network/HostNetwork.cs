using System.Diagnostics;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Core.Addressing;
using Canopy.Net;
using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Linux;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.Network;

/// <summary>
/// What this node creates in the kernel for its containers (the CNI bridge and its route, the CNI plugins' iptables rules) and
/// for its overlay (the VXLAN device <c>cnv&lt;key&gt;</c>, the nftables table <c>ip canopy_&lt;key&gt;</c>), owned through a record under <see cref="NodeEngineOptions.NetworkStateDir"/> and a lock held while the node runs:
/// <list type="bullet">
/// <item>at start, the leftovers of nodes that no longer exist (lock free, data dir gone, same network namespace) are removed;
/// an unrecorded bridge (a node of an older build) is never touched;</item>
/// <item>the subnets other nodes and networks use on this machine go with the registration, so that the cluster gives this
/// node one that overlaps none of them;</item>
/// <item><c>canopy node --leave</c> removes all of this node's.</item>
/// </list>
/// A normal stop keeps the bridge and the overlay: the instances outlive the node engine and are adopted again.
/// </summary>
public sealed class HostNetwork
{
    public const string DefaultStateDir = "/run/canopy/net";

    private static readonly TimeSpan ClaimWait = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RegistrationWait = TimeSpan.FromSeconds(30);

    private readonly NodeEngineOptions _options;
    private readonly NodeSubnet _subnet;
    private readonly ILogger _log;
    private readonly string _dir;
    private readonly Lock _claimSync = new();
    private int _leftoversChecked;
    private FileStream? _lock;
    private int _claims;

    public HostNetwork(NodeEngineOptions options, NodeSubnet subnet, ILogger<HostNetwork>? logger = null)
    {
        _options = options;
        _subnet = subnet;
        _log = logger ?? (ILogger)NullLogger.Instance;
        _dir = options.NetworkStateDir;
        Bridge = NodeKey.BridgeName(options.DataDir);
        NetworkName = CniConfig.NetworkName(Bridge);
    }

    /// <summary>This node's CNI bridge.</summary>
    public string Bridge { get; }

    /// <summary>This node's CNI network: the name in the comment of each of its pods' iptables rules.</summary>
    public string NetworkName { get; }

    /// <summary>This network namespace, as <c>net:[inode]</c>.</summary>
    internal static string NetNs { get; } = new FileInfo("/proc/self/ns/net").LinkTarget ?? "net:[unknown]";

    internal string RecordPath => RecordPathOf(Bridge);

    /// <summary>
    /// Before the node creates anything in the kernel (Canopy's own containerd, the overlay): removes what dead nodes left (once per
    /// node engine), then takes this node's lock and writes its record. Null, with <paramref name="problem"/>, when another node
    /// engine runs over the same data dir. The lock is one per process (flock is per open file): every claim shares it, and it is
    /// released with the last.
    /// </summary>
    internal NetworkClaim? TryClaim(out string? problem)
    {
        if (Interlocked.Exchange(ref _leftoversChecked, 1) == 0)
        {
            RemoveLeftovers();
        }

        lock (_claimSync)
        {
            problem = null;
            if (_lock is null)
            {
                Directory.CreateDirectory(_dir);
                // A cleaner on another node may hold it for a moment while it decides this node is alive.
                _lock = FileLock.TakeWithin(LockPathOf(Bridge), ClaimWait);
                if (_lock is null)
                {
                    problem = $"another node engine runs over the data dir {_options.DataDir} (it holds {LockPathOf(Bridge)}): stop it first";
                    return null;
                }

                Write(NewRecord(_subnet.Current ?? CniConfig.ReadSubnet(new ContainerdPaths(_options.ContainerdDir).CniConfList)));
            }

            _claims++;
            return new NetworkClaim(Release);
        }
    }

    /// <summary>
    /// The MTU of the node's pods: the overlay's (underlay MTU − VXLAN's 50 bytes) once the net manager has prepared it, so that
    /// container traffic across the overlay is never fragmented; null without an overlay (the bridge plugin's default).
    /// </summary>
    public int? PodMtu { get; internal set; }

    private void Release()
    {
        lock (_claimSync)
        {
            if (--_claims == 0)
            {
                _lock?.Dispose();
                _lock = null;
            }
        }
    }

    /// <summary>Notes the node's subnet in its record (written by <see cref="TryClaim"/>; nothing to note without one).</summary>
    internal void RecordSubnet(string subnet)
    {
        if (Read(RecordPath) is { } record && record.Subnet != subnet)
        {
            Write(record with { Subnet = subnet, UpdatedAt = DateTimeOffset.UtcNow });
        }
    }

    /// <summary>
    /// The IPv4 networks routed here that are not this node's, and the subnets other nodes here recorded (one that has not run a
    /// container yet has no route): what the registration tells the cluster to keep clear of.
    /// </summary>
    public IReadOnlyList<string> SubnetsInUse() =>
        HostRoutes.Read().Where(r => !IsOwn(r)).Select(r => r.Network.ToString())
            .Concat(Records().Where(r => r.Bridge != Bridge && r.NetNs == NetNs && r.Subnet is not null).Select(r => r.Subnet!))
            .Distinct()
            .ToList();

    /// <summary>
    /// Routes here that are not this node's and overlap <paramref name="subnet"/>: a clash (as specific as the subnet or more: the
    /// kernel would send some of its containers' traffic there) makes containers unusable, a broader route only hides part of its network.
    /// </summary>
    internal (HostRoute? Clash, IReadOnlyList<HostRoute> Broader) Overlaps(string subnet)
    {
        if (!Ipv4Network.TryParse(subnet, out var network))
        {
            return (null, []);
        }

        var overlapping = HostRoutes.Read().Where(r => !IsOwn(r) && r.Network.Overlaps(network)).ToList();
        var clash = overlapping.Where(r => network.IsClashedBy(r.Network)).Select(r => (HostRoute?)r).FirstOrDefault();
        return (clash, overlapping.Where(r => !network.IsClashedBy(r.Network)).ToList());
    }

    /// <summary>The node's bridge and its overlay (whose routes lead to its peers' subnets, which the cluster gave them).</summary>
    private bool IsOwn(HostRoute route) => route.Device == Bridge || route.Device == NetNames.Device(NodeKey.OfBridge(Bridge));

    /// <summary>Says what made a route: another Canopy node (recorded or not) or something else on the machine.</summary>
    internal string Describe(HostRoute route)
    {
        if (route.Device.StartsWith("cnv", StringComparison.Ordinal))
        {
            return Read(RecordPathOf("cnp" + route.Device[3..])) is { } node
                ? $"route {route}, the overlay of the Canopy node with data dir {node.DataDir}"
                : $"route {route}, a Canopy overlay without a record";
        }

        if (!route.Device.StartsWith("cnp", StringComparison.Ordinal))
        {
            return $"route {route}, not created by Canopy";
        }

        return Read(RecordPathOf(route.Device)) is { } owner
            ? $"route {route}, the bridge of the Canopy node with data dir {owner.DataDir}"
            : $"route {route}, a Canopy bridge without a record (a node of an older build, or left over: `ip link del {route.Device}` removes it if no node uses it)";
    }

    /// <summary>
    /// Held while a node registers and notes its new subnet, so that two nodes starting together on this machine cannot both be
    /// given a subnet the other is about to take. One per network namespace; after a while, registration goes on without it.
    /// </summary>
    internal async Task<IDisposable?> LockRegistrationAsync(CancellationToken ct)
    {
        var path = Path.Combine(_dir, $"register-{new string(NetNs.Where(char.IsAsciiDigit).ToArray())}.lock");
        try
        {
            Directory.CreateDirectory(_dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No place for records (not root): no node here records anything to coordinate with.
            return null;
        }

        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (FileLock.TryTake(path) is { } held)
            {
                return held;
            }

            if (Stopwatch.GetElapsedTime(started) > RegistrationWait)
            {
                NetworkLog.RegistrationLockTimeout(_log, RegistrationWait.TotalSeconds, path);
                return null;
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <c>canopy node --leave</c>, once its instances are removed and its containerd stopped: everything of this node in the
    /// kernel (processes still under its containerd dir, mounts under its data dir, CNI rules, bridge) and its record.
    /// </summary>
    internal void RemoveOwn()
    {
        var (rules, processes, mounts) = RemoveKernelState(Read(RecordPath) ?? NewRecord(null));
        NetworkLog.Removed(_log, Bridge, rules, processes, mounts);
    }

    /// <summary>Every recorded node of this namespace whose lock is free and whose data dir is gone: what it created goes.</summary>
    internal int RemoveLeftovers()
    {
        var removed = 0;
        foreach (var record in Records().Where(r => r.Bridge != Bridge && r.NetNs == NetNs && IsGone(r)))
        {
            // Free means no node engine holds it; held by this probe, no other cleaner works on the same record meanwhile.
            using var probe = FileLock.TryTake(LockPathOf(record.Bridge), create: false);
            if (probe is null || !File.Exists(RecordPathOf(record.Bridge)))
            {
                continue;
            }

            try
            {
                var (rules, processes, mounts) = RemoveKernelState(record);
                NetworkLog.LeftoversRemoved(_log, record.DataDir, record.Bridge, rules, processes, mounts);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                NetworkLog.LeftoversFailed(_log, e, record.DataDir, record.Bridge);
            }
        }

        return removed;
    }

    /// <summary>
    /// A node is gone once its data dir is: neither its containerd config (written at every start of a node with Canopy's own
    /// containerd) nor its <c>node.lock</c> (made at every start of any node, exec only included) is left.
    /// </summary>
    private static bool IsGone(NodeNetworkRecord record) =>
        !File.Exists(record.Anchor) && !File.Exists(Path.Combine(record.DataDir, NodeDataDir.LockFileName));

    /// <summary>Processes, mounts, CNI rules, bridge, then the record itself (last: while it exists, the rest can be found).</summary>
    private (int Rules, int Processes, int Mounts) RemoveKernelState(NodeNetworkRecord record)
    {
        var containerdDir = Path.GetDirectoryName(record.Anchor)!;
        var processes = ProcessTree.KillNaming(containerdDir + "/");
        var mounts = Mounts.DetachUnder(record.DataDir);
        return (RemoveNetwork(record.Bridge, _dir), processes, mounts);
    }

    /// <summary>
    /// The CNI rules and chains of the network of <paramref name="bridge"/>, the bridge (and with it its route), the node's overlay
    /// (its VXLAN device, with the routes, neighbours and FDB entries on it, and its nftables table), and its record in
    /// <paramref name="stateDir"/>. Returns how many rule sets went (one iptables-restore transaction each).
    /// </summary>
    internal static int RemoveNetwork(string bridge, string stateDir)
    {
        var rules = RemoveCniRules(CniConfig.NetworkName(bridge));
        DeleteLink(bridge);
        NodeNetwork.RemoveLeftovers(NodeKey.OfBridge(bridge));
        File.Delete(Path.Combine(stateDir, bridge + ".json"));
        File.Delete(Path.Combine(stateDir, bridge + ".lock"));
        return rules;
    }

    /// <summary>The rules of <paramref name="networkName"/> in every table, in one iptables-restore transaction per try.</summary>
    internal static int RemoveCniRules(string networkName)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var (code, saved, _) = HostCommand.Run("iptables-save", []);
            if (code != 0 || CniRules.RemovalScript(saved, networkName) is not { } script)
            {
                return attempt;
            }

            // A rule another node's CNI call changed meanwhile fails the whole transaction: read again and retry.
            if (HostCommand.Run("iptables-restore", ["--noflush", "--wait"], script).Code == 0)
            {
                return attempt + 1;
            }
        }

        return 0;
    }

    /// <summary>The bridges of the nodes recorded in <paramref name="stateDir"/> whose data dir is <paramref name="dataDir"/> or under it.</summary>
    internal static IEnumerable<string> RecordedBridgesUnder(string stateDir, string dataDir)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDir));
        return Directory.Exists(stateDir)
            ? Directory.EnumerateFiles(stateDir, "*.json").Select(Read).OfType<NodeNetworkRecord>()
                .Where(r => r.DataDir == root || r.DataDir.StartsWith(root + "/", StringComparison.Ordinal))
                .Select(r => r.Bridge)
                .ToList()
            : [];
    }

    internal static void DeleteLink(string device)
    {
        if (Directory.Exists($"/sys/class/net/{device}"))
        {
            HostCommand.Run("ip", ["link", "del", device]);
        }
    }

    private NodeNetworkRecord NewRecord(string? subnet) => new()
    {
        Bridge = Bridge,
        NetworkName = NetworkName,
        DataDir = Path.GetFullPath(_options.DataDir),
        Anchor = new ContainerdPaths(Path.GetFullPath(_options.ContainerdDir)).Config,
        NetNs = NetNs,
        Subnet = subnet,
        OverlayDevice = NetNames.Device(NodeKey.OfBridge(Bridge)),
        NftTable = NetNames.Table(NodeKey.OfBridge(Bridge)),
        Pid = Environment.ProcessId,
        UpdatedAt = DateTimeOffset.UtcNow,
    };

    private List<NodeNetworkRecord> Records() =>
        Directory.Exists(_dir)
            ? Directory.EnumerateFiles(_dir, "*.json").Select(Read).OfType<NodeNetworkRecord>().ToList()
            : [];

    private string RecordPathOf(string bridge) => Path.Combine(_dir, bridge + ".json");

    private string LockPathOf(string bridge) => Path.Combine(_dir, bridge + ".lock");

    private void Write(NodeNetworkRecord record)
    {
        var path = RecordPathOf(record.Bridge);
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temp, NodeJson.SerializeToUtf8(record));
        File.Move(temp, path, overwrite: true);
    }

    private static NodeNetworkRecord? Read(string path)
    {
        try
        {
            return File.Exists(path) ? NodeJson.Deserialize<NodeNetworkRecord>(File.ReadAllBytes(path)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}
