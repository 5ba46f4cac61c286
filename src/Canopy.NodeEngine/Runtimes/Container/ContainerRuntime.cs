using Canopy.Contracts;
using Canopy.Core.Descriptors;
using Canopy.Core.States;
using Canopy.Cri;
using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.NetManager;
using Canopy.NodeEngine.Network;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.Runtimes.Container;

/// <summary>
/// Runs instances as OCI containers through containerd's CRI API: one pod sandbox (address from the node's subnet,
/// the SLA's port mappings, cgroup parent) and one container (image, cmd, environment, memory and CPU limits) per
/// instance. One loop watches every container and applies the restart policy; the instances' state lives in
/// <c>&lt;DataDir&gt;/containers/</c> and in the containers' labels, so a node engine restart adopts what runs.
/// Only objects labelled with this node's <see cref="ContainerLabels.Node"/> are ever listed or touched.
/// </summary>
internal sealed partial class ContainerRuntime : RuntimeBase<ContainerInstance, ContainerInstanceState>
{
    /// <summary>Below this, runc cannot even start the container's init process.</summary>
    public const int MinimumMemoryMb = 6;

    private readonly ContainerdSupervisor _containerd;
    private readonly NodeSubnet _subnet;
    private readonly HostNetwork _network;
    private readonly InstanceHosts _hosts;
    private readonly string _nodeKey;
    private readonly string _cgroupParent;
    private readonly Dictionary<string, string> _nodeSelector;
    private readonly TaskCompletionSource _firstConnection = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Held while instances are adopted: a deploy waits, so it never starts a second copy of one being adopted.
    private readonly SemaphoreSlim _adoption = new(1, 1);
    private readonly Lock _portsLock = new();
    private volatile CriClient? _cri;
    private volatile bool _networkReady;
    private volatile string? _unavailable;
    private volatile string? _networkProblem;

    public ContainerRuntime(
        NodeEngineOptions options, ContainerdSupervisor containerd, NodeSubnet subnet, HostNetwork network, InstanceHosts hosts,
        ILogger<ContainerRuntime>? logger = null)
        : this(options, containerd, subnet, network, hosts, logger ?? (ILogger)NullLogger.Instance)
    {
    }

    private ContainerRuntime(
        NodeEngineOptions options, ContainerdSupervisor containerd, NodeSubnet subnet, HostNetwork network, InstanceHosts hosts, ILogger logger)
        : base(options, logger, options.ContainersDir, new RuntimeLog(logger, firstId: 5000, rotatedId: 5015))
    {
        _containerd = containerd;
        _subnet = subnet;
        _network = network;
        _hosts = hosts;
        _nodeKey = NodeKey.Of(options.DataDir);
        _nodeSelector = ContainerLabels.NodeSelector(_nodeKey);
        _cgroupParent = "/" + options.CgroupName.Trim('/');
        if (containerd.Mode == ContainerdMode.Disabled)
        {
            _unavailable = containerd.DisabledReason;
            _firstConnection.TrySetResult();
            return;
        }

        Directory.CreateDirectory(options.ContainersDir);
        Loop = Task.Run(() => RunEngineAsync(Disposing.Token));
    }

    public override string Name => Virtualizations.Container;

    /// <summary>containerd answers CRI, and the pods' network is configured (Canopy's own containerd: once the subnet is known).</summary>
    public override bool IsAvailable => _cri is not null && _networkReady;

    public override string? UnavailableReason =>
        IsAvailable ? null
        : _cri is null ? _unavailable ?? "containerd is starting"
        : _networkProblem ?? "waiting for the cluster to assign this node's container subnet";

    /// <summary>The value of <see cref="ContainerLabels.Node"/> on everything this runtime creates.</summary>
    internal string NodeLabel => _nodeKey;

    /// <summary>The last sample of the watch loop (every 2 s, one ListContainerStats call for all containers).</summary>
    public override ValueTask<InstanceStats?> StatsAsync(InstanceKey key, CancellationToken ct) =>
        ValueTask.FromResult(Instances.TryGetValue(key, out var instance) && instance.Status == InstanceStatus.Running ? instance.Stats : null);

    protected override ContainerInstance CreateInstance(InstanceKey key, string dir, ServiceSpec spec) => new(key, new ContainerPaths(dir), spec);

    protected override async Task WaitForAdoptionAsync(CancellationToken ct)
    {
        await _adoption.WaitAsync(ct).ConfigureAwait(false);
        _adoption.Release();
    }

    /// <summary>Node shutdown with <see cref="NodeEngineOptions.StopInstancesOnShutdown"/>: container and sandbox go, the spec stays.</summary>
    protected override async Task HaltAsync(ContainerInstance instance, CancellationToken ct)
    {
        if (_cri is { } cri)
        {
            await RemoveFromContainerdAsync(cri, instance, ct).ConfigureAwait(false);
        }
    }

    protected override async Task DeleteAsync(ContainerInstance instance, CancellationToken ct)
    {
        try
        {
            var cri = _cri ?? throw new ContainerdUnavailableException(UnavailableReason ?? "containerd is not available");
            await RemoveFromContainerdAsync(cri, instance, ct).ConfigureAwait(false);
            DeleteDirectory(instance);
        }
        catch (Exception e) when (e is CriException or ContainerdUnavailableException)
        {
            // The next connection to containerd finishes the removal from state.json (see AdoptAsync).
            instance.SetStatus(InstanceStatus.Undeployed, "undeployed");
            SaveState(instance);
            Log.ActionFailed(e, instance.Key.ToString(), "removing the container from containerd (retried when containerd answers)");
        }
    }

    /// <summary>Not held (say, its state was lost): whatever containerd still has of it goes anyway.</summary>
    protected override async Task RemoveUnheldAsync(InstanceKey key, CancellationToken ct)
    {
        if (_cri is { } cri && !Directory.Exists(Path.Combine(Options.ContainersDir, key.ToString())))
        {
            await RemoveQuietlyAsync(cri, key, ct).ConfigureAwait(false);
        }
    }

    protected override Task<string> TailLogAsync(ContainerInstance instance, int tail, CancellationToken ct) =>
        ContainerLogs.TailAsync(instance.Paths.Log, instance.Paths.RotatedLog, tail, ct);

    /// <summary>The node's lock on its kernel state goes too: its bridge stays (its containers may outlive the node engine).</summary>
    protected override void ReleaseResources()
    {
        _pullClient?.Dispose();
        _claim?.Dispose();
    }
}
