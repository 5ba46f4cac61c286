using System.Collections.Concurrent;
using Canopy.Contracts;
using Canopy.Core.Descriptors;
using Canopy.Core.States;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Instances;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.Runtimes.Exec;

/// <summary>
/// Runs instances as native processes, each in its own cgroup with the SLA's memory and CPU limits, under a shell
/// wrapper that records the exit status in the instance directory (see <see cref="ExecWrapper"/>). Everything
/// needed to adopt or restart an instance lives in that directory, so the node engine can restart without
/// disturbing (or duplicating) what runs.
/// </summary>
public sealed partial class ExecRuntime : IRuntime, IDisposable
{
    private static readonly TimeSpan HousekeepingInterval = TimeSpan.FromSeconds(2);

    private readonly NodeEngineOptions _options;
    private readonly CgroupLayout _cgroups;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<InstanceKey, ExecInstance> _instances = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly Task _housekeeping;
    private int _disposed;

    public ExecRuntime(NodeEngineOptions options, CgroupLayout cgroups, ILogger<ExecRuntime>? logger = null)
    {
        _options = options;
        _cgroups = cgroups;
        _log = logger ?? (ILogger)NullLogger.Instance;
        Directory.CreateDirectory(options.InstancesDir);
        _housekeeping = Task.Run(() => HousekeepAsync(_disposing.Token));
    }

    public string Name => Virtualizations.Exec;

    public bool IsAvailable => ExecWrapper.IsAvailable;

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

                // Deploy is idempotent: the cluster may send it again (reconnect, reconciliation) and must never get a duplicate.
                // A finished one-shot is not run again either; only a FAILED or finally DEAD instance is started afresh.
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

                if (!Transition(instance, InstanceStatus.Creating, null))
                {
                    return Report(instance);
                }

                if (await StartProcessAsync(instance, ct).ConfigureAwait(false))
                {
                    var life = instance.Life.Token;
                    instance.Supervisor = Task.Run(() => SuperviseAsync(instance, alreadyExited: false, life), CancellationToken.None);
                }

                return instance.ToReport();
            }
            finally
            {
                instance.Gate.Release();
            }
        }
    }

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
            await TerminateAsync(instance, ct).ConfigureAwait(false);
            await instance.Cgroup.RemoveAsync(ct).ConfigureAwait(false);
            if (wasActive)
            {
                instance.StoppedByNode = true;
                instance.ClearProcess();
                SaveState(instance);
            }

            ExecLog.Stopped(_log, key.ToString());
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
            await TerminateAsync(instance, ct).ConfigureAwait(false);
            await instance.Cgroup.RemoveAsync(ct).ConfigureAwait(false);
            DeleteDirectory(instance);
            instance.Removed = true;
            _instances.TryRemove(new KeyValuePair<InstanceKey, ExecInstance>(key, instance));
            instance.ReleaseLife();
            instance.ClearProcess();
            instance.SetStatus(InstanceStatus.Undeployed, "undeployed");
            ExecLog.Removed(_log, key.ToString());
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

    public ValueTask<InstanceStats?> StatsAsync(InstanceKey key, CancellationToken ct)
    {
        if (!_instances.TryGetValue(key, out var instance) || instance.Status != InstanceStatus.Running)
        {
            return ValueTask.FromResult<InstanceStats?>(null);
        }

        var cpuNs = instance.Cgroup.ReadCpuUsageNs();
        var memory = instance.Cgroup.ReadMemoryBytes();
        if (cpuNs is null && memory is null)
        {
            return ValueTask.FromResult<InstanceStats?>(null);
        }

        var cpu = cpuNs is { } ns ? instance.CpuPercentSince(ns) : 0;
        return ValueTask.FromResult<InstanceStats?>(new InstanceStats(cpu, (memory ?? 0) / (1024.0 * 1024.0)));
    }

    public async Task<string?> ReadLogsAsync(InstanceKey key, int tail, CancellationToken ct) =>
        _instances.TryGetValue(key, out var instance)
            ? await LogFiles.TailAsync(instance.Paths.Log, instance.Paths.RotatedLog, tail, ct).ConfigureAwait(false)
            : null;

    /// <summary>Stops watching; the processes keep running for the next runtime to adopt.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        await WaitQuietlyAsync(_housekeeping).ConfigureAwait(false);
        foreach (var (_, instance) in _instances)
        {
            await instance.EndLifeAsync().ConfigureAwait(false);
            await WaitQuietlyAsync(instance.Supervisor).ConfigureAwait(false);
            instance.Child?.Dispose();
            instance.Child = null;
        }

        _disposing.Dispose();
    }

    /// <summary>For a host disposed synchronously (the container refuses async-only singletons there).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// The instance's cgroup name carries the node's key: an instance moved between two node engines on one kernel (a lab,
    /// the tests) must not share a cgroup, or each engine's stop would kill the other's copy.
    /// </summary>
    internal static string CgroupInstanceName(NodeEngineOptions options, InstanceKey key) => $"{key}.{NodeKey.Of(options.DataDir)}";

    private ExecInstance NewInstance(InstanceKey key, ServiceSpec spec)
    {
        var name = key.ToString();
        var instance = new ExecInstance(
            key, new ExecPaths(Path.Combine(_options.InstancesDir, name)),
            new InstanceCgroup(_cgroups, _options.CgroupName, CgroupInstanceName(_options, key)), spec);
        instance.RenewLife(_disposing.Token);
        return instance;
    }

    /// <summary>Applies a status change the transition table allows, persists it and reports it.</summary>
    private bool Transition(ExecInstance instance, InstanceStatus to, string? detail)
    {
        if (!InstanceTransitions.IsAllowed(instance.Status, to))
        {
            ExecLog.RefusedTransition(_log, instance.Key.ToString(), instance.Status.ToWireName(), to.ToWireName());
            return false;
        }

        instance.SetStatus(to, detail);
        SaveState(instance);
        Report(instance);
        return true;
    }

    private InstanceReport Report(ExecInstance instance)
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
