using System.Collections.Concurrent;
using Canopy.Contracts;
using Canopy.Core.Descriptors;
using Canopy.Core.States;
using Canopy.Cri;
using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Instances;
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
public sealed partial class ContainerRuntime : IRuntime, IDisposable
{
    /// <summary>Below this, runc cannot even start the container's init process.</summary>
    public const int MinimumMemoryMb = 6;

    private readonly NodeEngineOptions _options;
    private readonly ContainerdSupervisor _containerd;
    private readonly NodeSubnet _subnet;
    private readonly ILogger _log;
    private readonly string _nodeKey;
    private readonly string _cgroupParent;
    private readonly Dictionary<string, string> _nodeSelector;
    private readonly ConcurrentDictionary<InstanceKey, ContainerInstance> _instances = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly TaskCompletionSource _firstConnection = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Held while instances are adopted: a deploy waits, so it never starts a second copy of one being adopted.
    private readonly SemaphoreSlim _adoption = new(1, 1);
    private readonly Lock _portsLock = new();
    private readonly Task _engine;
    private volatile CriClient? _cri;
    private volatile bool _networkReady;
    private volatile string? _unavailable;
    private volatile string? _networkProblem;
    private int _disposed;

    public ContainerRuntime(NodeEngineOptions options, ContainerdSupervisor containerd, NodeSubnet subnet, ILogger<ContainerRuntime>? logger = null)
    {
        _options = options;
        _containerd = containerd;
        _subnet = subnet;
        _log = logger ?? (ILogger)NullLogger.Instance;
        _nodeKey = NodeKey.Of(options.DataDir);
        _nodeSelector = ContainerLabels.NodeSelector(_nodeKey);
        _cgroupParent = "/" + options.CgroupName.Trim('/');
        if (containerd.Mode == ContainerdMode.Disabled)
        {
            _unavailable = containerd.DisabledReason;
            _firstConnection.TrySetResult();
            _engine = Task.CompletedTask;
            return;
        }

        Directory.CreateDirectory(options.ContainersDir);
        _engine = Task.Run(() => RunEngineAsync(_disposing.Token));
    }

    public string Name => Virtualizations.Container;

    /// <summary>containerd answers CRI, and the pods' network is configured (Canopy's own containerd: once the subnet is known).</summary>
    public bool IsAvailable => _cri is not null && _networkReady;

    public string? UnavailableReason =>
        IsAvailable ? null
        : _cri is null ? _unavailable ?? "containerd is starting"
        : _networkProblem ?? "waiting for the cluster to assign this node's container subnet";

    /// <summary>The value of <see cref="ContainerLabels.Node"/> on everything this runtime creates.</summary>
    internal string NodeLabel => _nodeKey;

    public event Action<InstanceReport>? StatusChanged;

    public async Task<InstanceReport> DeployAsync(ServiceSpec spec, int instanceNumber, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var key = new InstanceKey(spec.ServiceId, instanceNumber);
        if (!InstanceKey.IsSafeServiceId(spec.ServiceId) || instanceNumber < 0)
        {
            var refused = new InstanceReport
            {
                ServiceId = spec.ServiceId,
                JobName = spec.JobName,
                InstanceNumber = instanceNumber,
                Status = InstanceStatus.Failed,
                StatusDetail = "invalid service id or instance number for a node instance",
                Timestamp = DateTimeOffset.UtcNow,
            };
            StatusChanged?.Invoke(refused);
            return refused;
        }

        await _adoption.WaitAsync(ct).ConfigureAwait(false);
        _adoption.Release();
        while (true)
        {
            var instance = _instances.GetOrAdd(key, k => NewInstance(k, spec));
            await instance.Gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (instance.Removed)
                {
                    continue;
                }

                // Idempotent: the cluster may send a deploy again (reconnect, reconciliation) and must never get a duplicate.
                if (instance.Status is InstanceStatus.Running or InstanceStatus.Creating or InstanceStatus.Completed ||
                    instance.RestartPending)
                {
                    return Report(instance);
                }

                await instance.EndLifeAsync().ConfigureAwait(false);
                await WaitQuietlyAsync(instance.Supervisor).ConfigureAwait(false);
                instance.RenewLife(_disposing.Token);
                instance.Spec = spec;
                instance.ExitCode = null;
                instance.StoppedByNode = false;
                Directory.CreateDirectory(instance.Paths.Dir);
                await File.WriteAllTextAsync(instance.Paths.Spec, CanopyJson.Serialize(spec), ct).ConfigureAwait(false);
                if (Transition(instance, InstanceStatus.Creating, null))
                {
                    await LaunchAsync(instance, ct).ConfigureAwait(false);
                }

                return instance.ToReport();
            }
            finally
            {
                instance.Gate.Release();
            }
        }
    }

    /// <summary>Node shutdown with <see cref="NodeEngineOptions.StopInstancesOnShutdown"/>: container and sandbox go, the spec stays.</summary>
    public async Task StopAsync(InstanceKey key, CancellationToken ct)
    {
        if (!_instances.TryGetValue(key, out var instance))
        {
            return;
        }

        await instance.EndLifeAsync().ConfigureAwait(false);
        await instance.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await WaitQuietlyAsync(instance.Supervisor).ConfigureAwait(false);
            var wasActive = instance.Status is InstanceStatus.Running or InstanceStatus.Creating || instance.RestartPending;
            if (_cri is { } cri)
            {
                await RemoveFromContainerdAsync(cri, instance, ct).ConfigureAwait(false);
            }

            if (wasActive)
            {
                instance.StoppedByNode = true;
                SaveState(instance);
            }

            ContainerLog.Stopped(_log, key.ToString());
        }
        finally
        {
            instance.Gate.Release();
        }
    }

    public async Task<InstanceReport> RemoveAsync(InstanceKey key, CancellationToken ct)
    {
        if (!_instances.TryGetValue(key, out var instance))
        {
            // Not held (say, its state was lost): whatever containerd still has of it goes anyway.
            if (_cri is { } cri && !Directory.Exists(Path.Combine(_options.ContainersDir, key.ToString())))
            {
                await RemoveQuietlyAsync(cri, key, ct).ConfigureAwait(false);
            }

            var unknown = new InstanceReport
            {
                ServiceId = key.ServiceId,
                InstanceNumber = key.InstanceNumber,
                Status = InstanceStatus.Undeployed,
                StatusDetail = "not on this node",
                Timestamp = DateTimeOffset.UtcNow,
            };
            StatusChanged?.Invoke(unknown);
            return unknown;
        }

        await instance.EndLifeAsync().ConfigureAwait(false);
        await instance.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await WaitQuietlyAsync(instance.Supervisor).ConfigureAwait(false);
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
                ContainerLog.ActionFailed(_log, e, key.ToString(), "removing the container from containerd (retried when containerd answers)");
            }

            instance.Removed = true;
            _instances.TryRemove(new KeyValuePair<InstanceKey, ContainerInstance>(key, instance));
            instance.ReleaseLife();
            instance.SetStatus(InstanceStatus.Undeployed, "undeployed");
            ContainerLog.Removed(_log, key.ToString());
            return Report(instance);
        }
        finally
        {
            instance.Gate.Release();
        }
    }

    public InstanceReport? Find(InstanceKey key) =>
        _instances.TryGetValue(key, out var instance) ? instance.ToReport() : null;

    public void CollectReports(List<InstanceReport> reports)
    {
        foreach (var (_, instance) in _instances)
        {
            reports.Add(instance.ToReport());
        }
    }

    /// <summary>The last sample of the watch loop (every 2 s, one ListContainerStats call for all containers).</summary>
    public ValueTask<InstanceStats?> StatsAsync(InstanceKey key, CancellationToken ct) =>
        ValueTask.FromResult(_instances.TryGetValue(key, out var instance) && instance.Status == InstanceStatus.Running ? instance.Stats : null);

    public async Task<string?> ReadLogsAsync(InstanceKey key, int tail, CancellationToken ct) =>
        _instances.TryGetValue(key, out var instance)
            ? await ContainerLogs.TailAsync(instance.Paths.Log, instance.Paths.RotatedLog, tail, ct).ConfigureAwait(false)
            : null;

    /// <summary>Stops watching; the containers keep running for the next runtime to adopt.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        await WaitQuietlyAsync(_engine).ConfigureAwait(false);
        foreach (var (_, instance) in _instances)
        {
            await instance.EndLifeAsync().ConfigureAwait(false);
            await WaitQuietlyAsync(instance.Supervisor).ConfigureAwait(false);
        }

        _pullClient?.Dispose();
        _disposing.Dispose();
    }

    /// <summary>For a host disposed synchronously (the container refuses async-only singletons there).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private ContainerInstance NewInstance(InstanceKey key, ServiceSpec spec)
    {
        var instance = new ContainerInstance(key, new ContainerPaths(Path.Combine(_options.ContainersDir, key.ToString())), spec);
        instance.RenewLife(_disposing.Token);
        return instance;
    }

    /// <summary>Applies a status change the transition table allows, persists it and reports it.</summary>
    private bool Transition(ContainerInstance instance, InstanceStatus to, string? detail)
    {
        if (!InstanceTransitions.IsAllowed(instance.Status, to))
        {
            ContainerLog.RefusedTransition(_log, instance.Key.ToString(), instance.Status.ToWireName(), to.ToWireName());
            return false;
        }

        instance.SetStatus(to, detail);
        SaveState(instance);
        Report(instance);
        return true;
    }

    private InstanceReport Report(ContainerInstance instance)
    {
        var report = instance.ToReport();
        StatusChanged?.Invoke(report);
        return report;
    }

    private static async Task WaitQuietlyAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The task was cancelled on purpose.
        }
    }
}
