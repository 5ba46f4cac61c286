using System.Collections.Concurrent;
using Canopy.Contracts;
using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Runtimes;

/// <summary>
/// What every runtime does the same way: deploy-again rules, stop and removal under the instance's gate, status
/// changes through the transition table (persisted, then reported), supervision with the restart back-off, and the
/// takeover of the directories a previous node engine left. A runtime adds only how its workload is started,
/// stopped and inspected.
/// </summary>
internal abstract partial class RuntimeBase<TInstance, TState> : IRuntime, IDisposable
    where TInstance : RuntimeInstance<TState>
    where TState : InstanceState
{
    private readonly string _instancesDir;
    private int _disposed;

    protected RuntimeBase(NodeEngineOptions options, ILogger logger, string instancesDir, RuntimeLog log)
    {
        Options = options;
        Logger = logger;
        Log = log;
        _instancesDir = instancesDir;
        Secrets = new InstanceSecrets(options.DataDir);
    }

    public abstract string Name { get; }

    public abstract bool IsAvailable { get; }

    public virtual string? UnavailableReason => IsAvailable ? null : "not available on this node";

    public event Action<InstanceReport>? StatusChanged;

    protected NodeEngineOptions Options { get; }

    /// <summary>Where this runtime keeps one directory per instance.</summary>
    protected string InstancesDir => _instancesDir;

    /// <summary>The instances' secrets: sealed in spec.json, files under /run.</summary>
    protected InstanceSecrets Secrets { get; }

    protected ILogger Logger { get; }

    protected RuntimeLog Log { get; }

    protected ConcurrentDictionary<InstanceKey, TInstance> Instances { get; } = new();

    /// <summary>Cancelled when the runtime is disposed; every instance's life is linked to it.</summary>
    protected CancellationTokenSource Disposing { get; } = new();

    /// <summary>The runtime's own loop (housekeeping, watching), awaited on dispose.</summary>
    protected Task Loop { get; set; } = Task.CompletedTask;

    public abstract Task RecoverAsync(CancellationToken ct);

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

        await WaitForAdoptionAsync(ct).ConfigureAwait(false);
        while (true)
        {
            var instance = Instances.GetOrAdd(key, k => NewInstance(k, spec));
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
                instance.RenewLife(Disposing.Token);
                instance.Spec = spec;
                instance.ExitCode = null;
                instance.StoppedByNode = false;
                Directory.CreateDirectory(instance.Paths.Dir);
                await File.WriteAllTextAsync(instance.Paths.Spec, NodeJson.Serialize(spec.ToStored(Secrets.Seal)), ct).ConfigureAwait(false);
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

    public async Task StopAsync(InstanceKey key, CancellationToken ct)
    {
        if (!Instances.TryGetValue(key, out var instance))
        {
            return;
        }

        await instance.EndLifeAsync().ConfigureAwait(false);
        await instance.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await WaitQuietlyAsync(instance.Supervisor).ConfigureAwait(false);
            var wasActive = instance.IsActive;
            await HaltAsync(instance, ct).ConfigureAwait(false);
            if (wasActive)
            {
                instance.StoppedByNode = true;
                SaveState(instance);
            }

            Log.Stopped(key.ToString());
        }
        finally
        {
            instance.Gate.Release();
        }
    }

    public async Task<InstanceReport> RemoveAsync(InstanceKey key, CancellationToken ct)
    {
        if (!Instances.TryGetValue(key, out var instance))
        {
            await RemoveUnheldAsync(key, ct).ConfigureAwait(false);
            RemoveSecrets(key);
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
            await DeleteAsync(instance, ct).ConfigureAwait(false);
            RemoveSecrets(key);
            Forget(instance);
            instance.ReleaseLife();
            instance.SetStatus(InstanceStatus.Undeployed, "undeployed");
            Log.Removed(key.ToString());
            return Report(instance);
        }
        finally
        {
            instance.Gate.Release();
        }
    }

    public InstanceReport? Find(InstanceKey key) =>
        Instances.TryGetValue(key, out var instance) ? instance.ToReport() : null;

    public void CollectReports(List<InstanceReport> reports)
    {
        foreach (var (_, instance) in Instances)
        {
            reports.Add(instance.ToReport());
        }
    }

    public abstract ValueTask<InstanceStats?> StatsAsync(InstanceKey key, CancellationToken ct);

    public async Task<string?> ReadLogsAsync(InstanceKey key, int tail, CancellationToken ct) =>
        Instances.TryGetValue(key, out var instance) ? await TailLogAsync(instance, tail, ct).ConfigureAwait(false) : null;

    /// <summary>Stops watching; the workloads keep running for the next runtime to adopt.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Disposing.CancelAsync().ConfigureAwait(false);
        await WaitQuietlyAsync(Loop).ConfigureAwait(false);
        foreach (var (_, instance) in Instances)
        {
            await instance.EndLifeAsync().ConfigureAwait(false);
            await WaitQuietlyAsync(instance.Supervisor).ConfigureAwait(false);
            LetGo(instance);
        }

        ReleaseResources();
        Disposing.Dispose();
    }

    /// <summary>For a host disposed synchronously (the container refuses async-only singletons there).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>A fresh in-memory instance for <paramref name="dir"/>; its life is tied to the runtime's by the caller.</summary>
    protected abstract TInstance CreateInstance(InstanceKey key, string dir, ServiceSpec spec);

    /// <summary>
    /// Starts an instance that is CREATING and watches it: RUNNING, or FAILED with the reason (final until redeployed:
    /// a bad spec or a taken port does not heal by retrying). Called under the instance's gate.
    /// </summary>
    protected abstract Task LaunchAsync(TInstance instance, CancellationToken ct);

    /// <summary>Ends the workload and releases what it holds in the runtime, keeping its directory (stop, node shutdown).</summary>
    protected abstract Task HaltAsync(TInstance instance, CancellationToken ct);

    /// <summary>Ends the workload and deletes everything of it, its directory included (undeploy).</summary>
    protected abstract Task DeleteAsync(TInstance instance, CancellationToken ct);

    protected abstract Task<string> TailLogAsync(TInstance instance, int tail, CancellationToken ct);

    /// <summary>A deploy waits while instances are being adopted, so it never starts a second copy of one.</summary>
    protected virtual Task WaitForAdoptionAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>Undeploy of an instance this runtime does not hold: whatever the runtime still has of it may go.</summary>
    protected virtual Task RemoveUnheldAsync(InstanceKey key, CancellationToken ct) => Task.CompletedTask;

    /// <summary>On dispose, after the instance's supervision ended: drops handles that must not outlive the runtime.</summary>
    protected virtual void LetGo(TInstance instance)
    {
    }

    /// <summary>On dispose, after every instance was let go.</summary>
    protected virtual void ReleaseResources()
    {
    }

    private void RemoveSecrets(InstanceKey key)
    {
        try
        {
            Secrets.Remove(key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.ActionFailed(e, key.ToString(), "removing its secret files");
        }
    }

    protected TInstance NewInstance(InstanceKey key, ServiceSpec spec)
    {
        var instance = CreateInstance(key, Path.Combine(_instancesDir, key.ToString()), spec);
        instance.RenewLife(Disposing.Token);
        return instance;
    }

    /// <summary>Takes the instance out of the runtime; a deploy that waited for its gate then takes a fresh object.</summary>
    protected void Forget(TInstance instance)
    {
        instance.Removed = true;
        Instances.TryRemove(new KeyValuePair<InstanceKey, TInstance>(instance.Key, instance));
    }

    /// <summary>Applies a status change the transition table allows, persists it and reports it.</summary>
    protected bool Transition(TInstance instance, InstanceStatus to, string? detail)
    {
        if (!InstanceTransitions.IsAllowed(instance.Status, to))
        {
            Log.RefusedTransition(instance.Key.ToString(), instance.Status.ToWireName(), to.ToWireName());
            return false;
        }

        instance.SetStatus(to, detail);
        SaveState(instance);
        Report(instance);
        return true;
    }

    protected InstanceReport Report(TInstance instance)
    {
        var report = instance.ToReport();
        StatusChanged?.Invoke(report);
        return report;
    }

    protected static async Task WaitQuietlyAsync(Task task)
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
