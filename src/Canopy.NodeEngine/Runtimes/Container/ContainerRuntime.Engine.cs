using Canopy.Core.States;
using Canopy.Cri;
using Canopy.Cri.V1;
using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Network;

namespace Canopy.NodeEngine.Runtimes.Container;

internal sealed partial class ContainerRuntime
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan NetworkReadyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Stats and log rotation every fourth watch tick: 2 s, the node's reporting interval.</summary>
    private const int HousekeepingEvery = 4;

    /// <summary>Consecutive failed watch calls (3 s) after which containerd counts as gone and is started or reconnected.</summary>
    private const int MaxWatchFailures = 6;

    private string? _configuredSubnet;
    private int? _configuredMtu;
    private NetworkClaim? _claim;
    private string? _reportedClash;

    /// <summary>
    /// The runtime's one loop: get a containerd that answers (starting Canopy's own when needed), configure the pods'
    /// network, adopt what a previous node engine left, then watch every container until containerd stops answering,
    /// and start over with a back-off.
    /// </summary>
    private async Task RunEngineAsync(CancellationToken ct)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                ClaimNetwork();
                var cri = await _containerd.EnsureRunningAsync(ct).ConfigureAwait(false);
                await ConfigureNetworkAsync(cri, NetworkReadyTimeout, ct).ConfigureAwait(false);
                _cri = cri;
                _unavailable = null;
                var adopted = await AdoptAsync(cri, ct).ConfigureAwait(false);
                ContainerLog.Ready(Logger, cri.SocketPath, adopted);
                _firstConnection.TrySetResult();
                delay = TimeSpan.FromSeconds(1);
                var reason = await WatchAsync(cri, ct).ConfigureAwait(false);
                _cri = null;
                _unavailable = $"containerd stopped answering: {reason}";
                ContainerLog.Lost(Logger, reason);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is ContainerdUnavailableException or CriException or IOException or UnauthorizedAccessException)
            {
                _cri = null;
                _unavailable = e.Message;
                ContainerLog.Unavailable(Logger, e.Message, delay);
                _firstConnection.TrySetResult();
            }
            catch (Exception e)
            {
                // A bug must not end the loop: the containers still need watching once it is past.
                _cri = null;
                _unavailable = $"internal error: {e.Message}";
                Log.ActionFailed(e, "(all)", "the container runtime's loop");
                _firstConnection.TrySetResult();
            }

            try
            {
                await Task.Delay(delay, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
        }
    }

    /// <summary>
    /// Canopy's own containerd makes a bridge and iptables rules through CNI: before it starts, the node takes ownership of
    /// them (and removes what dead nodes left). Throws when another node engine runs over the same data dir.
    /// </summary>
    private void ClaimNetwork()
    {
        if (_containerd.Mode == ContainerdMode.Own && _claim is null)
        {
            _claim = _network.TryClaim(out var problem) ?? throw new ContainerdUnavailableException(problem!);
        }
    }

    /// <summary>
    /// Canopy's own containerd: writes the CNI conflist for the node's subnet (the cluster's answer, else the one
    /// written at an earlier start) and checks that CRI reports the network ready, for up to <paramref name="wait"/>
    /// (at start; the watch loop checks once per tick instead, so that it never stalls). The operator's containerd:
    /// theirs to configure.
    /// </summary>
    private async Task ConfigureNetworkAsync(CriClient cri, TimeSpan wait, CancellationToken ct)
    {
        if (_containerd.Mode != ContainerdMode.Own)
        {
            _networkReady = true;
            return;
        }

        var paths = _containerd.Paths;
        var subnet = _subnet.Current ?? CniConfig.ReadSubnet(paths.CniConfList);
        if (subnet is null)
        {
            return;
        }

        // The overlay's MTU arrives when the net manager has prepared it, possibly after the subnet: either change rewrites the conflist.
        var mtu = _network.PodMtu;
        if (subnet != _configuredSubnet || mtu != _configuredMtu)
        {
            if (!CniConfig.IsValidSubnet(subnet))
            {
                _networkReady = false;
                _networkProblem = $"the node's container subnet '{subnet}' is not an IPv4 CIDR";
                _configuredSubnet = subnet;
                ContainerLog.BadSubnet(Logger, subnet);
                return;
            }

            _configuredSubnet = subnet;
            _configuredMtu = mtu;
            _reportedClash = null;
            foreach (var wide in _network.Overlaps(subnet).Broader)
            {
                NetworkLog.BroaderRoute(Logger, subnet, wide.ToString(), _network.Describe(wide));
            }

            var bridge = _network.Bridge;
            var conflist = CniConfig.Render(bridge, subnet, paths.CniIpamDir, mtu);
            if (!File.Exists(paths.CniConfList) || await File.ReadAllTextAsync(paths.CniConfList, ct).ConfigureAwait(false) != conflist)
            {
                Directory.CreateDirectory(paths.CniConfDir);
                var temp = paths.CniConfList + ".tmp";
                await File.WriteAllTextAsync(temp, conflist, ct).ConfigureAwait(false);
                File.Move(temp, paths.CniConfList, overwrite: true);
                ContainerdLog.CniWritten(Logger, paths.CniConfList, bridge, subnet);
            }

            _network.RecordSubnet(subnet);
        }
        else if (_networkReady || !CniConfig.IsValidSubnet(subnet))
        {
            return;
        }

        // Checked until it is gone: the operator may remove the route that clashes, or the cluster move the node.
        if (Clash(subnet) is { } clash)
        {
            _networkReady = false;
            _networkProblem = clash;
            return;
        }

        // CRI loads the conflist on its own (it watches conf_dir); a sandbox created before that fails.
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            var status = await cri.StatusAsync(ct).ConfigureAwait(false);
            var network = status.Status?.Conditions.FirstOrDefault(c => c.Type == "NetworkReady");
            if (network is { Status: true })
            {
                _networkProblem = null;
                _networkReady = true;
                return;
            }

            _networkProblem = $"containerd has not loaded the CNI config {paths.CniConfList}: {network?.Reason} {network?.Message}".TrimEnd();
            if (DateTime.UtcNow >= deadline)
            {
                return;
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A route as specific as the subnet that is not this node's bridge takes some of its containers' traffic ("No route to
    /// host" on a published port): the runtime is unavailable while it is there, and says which route (logged once). A
    /// broader route only costs part of its own network: a warning when the subnet is configured.
    /// </summary>
    private string? Clash(string subnet)
    {
        if (_network.Overlaps(subnet).Clash is not { } route)
        {
            return null;
        }

        var problem = $"the container subnet {subnet} clashes with {_network.Describe(route)}: its containers would be unreachable";
        if (problem != _reportedClash)
        {
            _reportedClash = problem;
            ContainerdLog.Unusable(Logger, problem);
        }

        return problem;
    }

    /// <summary>Every 500 ms: one ListContainers for the whole node; exits go to their instance's handler. Returns why it stopped.</summary>
    private async Task<string> WatchAsync(CriClient cri, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(WatchInterval);
        var failures = 0;
        var tick = 0;
        while (true)
        {
            await timer.WaitForNextTickAsync(ct).ConfigureAwait(false);
            try
            {
                if (!_networkReady || _subnet.Current is { } subnet && subnet != _configuredSubnet)
                {
                    await ConfigureNetworkAsync(cri, TimeSpan.Zero, ct).ConfigureAwait(false);
                }

                var containers = await cri.ListContainersAsync(_nodeSelector, ct).ConfigureAwait(false);
                failures = 0;
                DetectExits(containers);
                if (++tick % HousekeepingEvery == 0)
                {
                    await SampleStatsAsync(cri, ct).ConfigureAwait(false);
                    RotateLogs();
                }
            }
            catch (CriException e)
            {
                if (++failures >= MaxWatchFailures)
                {
                    return e.Message;
                }
            }
            catch (IOException e)
            {
                _networkProblem = $"writing the CNI config failed: {e.Message}";
            }
        }
    }

    /// <summary>A RUNNING instance whose container exited (or vanished) gets its exit handled, once.</summary>
    private void DetectExits(IReadOnlyList<Cri.V1.Container> containers)
    {
        var states = new Dictionary<string, ContainerState>(containers.Count, StringComparer.Ordinal);
        foreach (var container in containers)
        {
            states[container.Id] = container.State;
        }

        foreach (var (_, instance) in Instances)
        {
            if (instance.Status != InstanceStatus.Running || instance.ContainerId is not { } id || !instance.Supervisor.IsCompleted ||
                (states.TryGetValue(id, out var state) && state is ContainerState.ContainerRunning or ContainerState.ContainerCreated))
            {
                continue;
            }

            var life = instance.LifeToken;
            if (!life.IsCancellationRequested)
            {
                instance.Supervisor = Task.Run(() => SuperviseExitAsync(instance, id, life), CancellationToken.None);
            }
        }
    }

    /// <summary>CPU and memory of every container in one call; CPU % from the difference to the previous sample.</summary>
    private async Task SampleStatsAsync(CriClient cri, CancellationToken ct)
    {
        var byContainer = new Dictionary<string, ContainerInstance>(StringComparer.Ordinal);
        foreach (var (_, instance) in Instances)
        {
            if (instance.Status == InstanceStatus.Running && instance.ContainerId is { } id)
            {
                byContainer[id] = instance;
            }
        }

        if (byContainer.Count == 0)
        {
            return;
        }

        foreach (var stats in await cri.ListContainerStatsAsync(_nodeSelector, ct).ConfigureAwait(false))
        {
            if (stats.Attributes?.Id is { } id && byContainer.TryGetValue(id, out var instance))
            {
                var timestamp = stats.Cpu?.Timestamp is > 0 and var t ? t : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
                instance.AddSample(stats.Cpu?.UsageCoreNanoSeconds?.Value ?? 0, timestamp, stats.Memory?.WorkingSetBytes?.Value ?? 0);
            }
        }
    }
}
