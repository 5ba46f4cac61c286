using System.Threading.Channels;
using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Core.Descriptors;
using Canopy.Core.States;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.Runtimes;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Instances;

/// <summary>
/// Every instance on this node, whatever its runtime: routes the cluster's commands to the runtime they name,
/// keeps the commands for one instance in order, and collects status changes and the inventory with metrics.
/// </summary>
public sealed class NodeInstances
{
    private readonly IReadOnlyList<IRuntime> _runtimes;
    private readonly NodeEngineOptions _options;
    private readonly ResourceMonitor _monitor;
    private readonly ILogger<NodeInstances> _log;
    private readonly KeyedSerialQueue _queue = new();

    // Registration does not wait for the take-over (its own containerd may take a second to start); commands and the inventory do.
    private readonly TaskCompletionSource _recovered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Bounded: while the cluster is unreachable the oldest changes give way; the inventory sent on reconnect is complete anyway.
    private readonly Channel<InstanceReport> _changes = Channel.CreateBounded<InstanceReport>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public NodeInstances(IEnumerable<IRuntime> runtimes, NodeEngineOptions options, ResourceMonitor monitor, ILogger<NodeInstances> log)
    {
        _runtimes = runtimes.ToArray();
        _options = options;
        _monitor = monitor;
        _log = log;
        foreach (var runtime in _runtimes)
        {
            runtime.StatusChanged += report => _changes.Writer.TryWrite(report);
        }
    }

    /// <summary>The runtimes this node can use: its <c>virtualization</c> list.</summary>
    public IReadOnlyList<string> Virtualizations => _runtimes.Where(r => r.IsAvailable).Select(r => r.Name).ToArray();

    /// <summary>The runtimes this node cannot use now, with why: so that <c>canopy nodes</c> and a refused placement can say it.</summary>
    public IReadOnlyDictionary<string, string>? UnavailableRuntimes
    {
        get
        {
            var unavailable = _runtimes.Where(r => !r.IsAvailable).ToDictionary(r => r.Name, r => r.UnavailableReason ?? "not available");
            return unavailable.Count > 0 ? unavailable : null;
        }
    }

    /// <summary>Status changes as they happen, to be published on <c>job</c>.</summary>
    public ChannelReader<InstanceReport> Changes => _changes.Reader;

    /// <summary>
    /// Every runtime takes over what a previous node engine left. All are asked, available or not: the container
    /// runtime becomes available only once the cluster assigned the node's subnet, yet adopts its running containers now.
    /// </summary>
    public async Task RecoverAsync(CancellationToken ct)
    {
        try
        {
            var reports = new List<InstanceReport>();
            foreach (var runtime in _runtimes)
            {
                await runtime.RecoverAsync(ct).ConfigureAwait(false);
                reports.Clear();
                runtime.CollectReports(reports);
                InstancesLog.Recovered(_log, runtime.Name, reports.Count);
            }

            _recovered.TrySetResult();
        }
        catch (Exception e)
        {
            _recovered.TrySetException(e);
            throw;
        }
    }

    /// <summary>Until every runtime has taken over what a previous run left, an instance it holds would look absent.</summary>
    private Task RecoveredAsync(CancellationToken ct) => _recovered.Task.IsCompletedSuccessfully ? Task.CompletedTask : _recovered.Task.WaitAsync(ct);

    /// <summary>Deploys (or, when it already runs, re-reports) one instance. Queued synchronously: call order is execution order.</summary>
    public Task<InstanceReport> DeployAsync(DeployCommand command, CancellationToken ct)
    {
        var spec = command.Service;
        var key = new InstanceKey(spec.ServiceId, command.InstanceNumber);
        return _queue.Enqueue(key, async () =>
        {
            await RecoveredAsync(ct).ConfigureAwait(false);
            try
            {
                var holder = FindHolder(key);
                var name = Core.Descriptors.Virtualizations.Normalize(spec.Virtualization);
                var runtime = holder ?? _runtimes.FirstOrDefault(r => r.Name == name && r.IsAvailable);
                if (runtime is null)
                {
                    var why = _runtimes.FirstOrDefault(r => r.Name == name)?.UnavailableReason;
                    var reason = $"virtualization '{spec.Virtualization}' is not available on node {_options.NodeName}" +
                                 (why is null ? "" : $": {why}");
                    InstancesLog.Refused(_log, key.ToString(), reason);
                    return Publish(new InstanceReport
                    {
                        ServiceId = spec.ServiceId,
                        JobName = spec.JobName,
                        InstanceNumber = command.InstanceNumber,
                        Status = InstanceStatus.Failed,
                        StatusDetail = reason,
                        Timestamp = DateTimeOffset.UtcNow,
                    });
                }

                InstancesLog.Deploy(_log, key.ToString(), runtime.Name);
                return await runtime.DeployAsync(spec, command.InstanceNumber, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                InstancesLog.OperationFailed(_log, e, "Deploy", key.ToString());
                return Publish(new InstanceReport
                {
                    ServiceId = spec.ServiceId,
                    JobName = spec.JobName,
                    InstanceNumber = command.InstanceNumber,
                    Status = InstanceStatus.Failed,
                    StatusDetail = $"deploy failed on node {_options.NodeName}: {e.Message}",
                    Timestamp = DateTimeOffset.UtcNow,
                });
            }
        });
    }

    /// <summary>
    /// Removes one instance, or every instance of the service for −1. An instance this node does not hold is
    /// reported UNDEPLOYED anyway, so that the cluster can forget it.
    /// </summary>
    public Task<InstanceReport[]> DeleteAsync(DeleteCommand command, CancellationToken ct)
    {
        if (command.InstanceNumber < 0 && !_recovered.Task.IsCompletedSuccessfully)
        {
            return DeleteAfterRecoveryAsync(command, ct);
        }

        var keys = command.InstanceNumber >= 0
            ? [new InstanceKey(command.ServiceId, command.InstanceNumber)]
            : AllKeys().Where(k => k.ServiceId == command.ServiceId).ToArray();

        return Task.WhenAll(keys.Select(key => _queue.Enqueue(key, async () =>
        {
            await RecoveredAsync(ct).ConfigureAwait(false);
            InstancesLog.Delete(_log, key.ToString());
            try
            {
                if (FindHolder(key) is { } runtime)
                {
                    return await runtime.RemoveAsync(key, ct).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                InstancesLog.OperationFailed(_log, e, "Delete", key.ToString());
                throw;
            }

            return Publish(new InstanceReport
            {
                ServiceId = key.ServiceId,
                JobName = command.JobName,
                InstanceNumber = key.InstanceNumber,
                Status = InstanceStatus.Undeployed,
                StatusDetail = $"not on node {_options.NodeName}",
                Timestamp = DateTimeOffset.UtcNow,
            });
        })));
    }

    private async Task<InstanceReport[]> DeleteAfterRecoveryAsync(DeleteCommand command, CancellationToken ct)
    {
        await RecoveredAsync(ct).ConfigureAwait(false);
        return await DeleteAsync(command, ct).ConfigureAwait(false);
    }

    public async Task<LogsResult> ReadLogsAsync(LogsRequest request, CancellationToken ct)
    {
        await RecoveredAsync(ct).ConfigureAwait(false);
        var key = new InstanceKey(request.ServiceId, request.InstanceNumber);
        var text = FindHolder(key) is { } runtime ? await runtime.ReadLogsAsync(key, request.Tail, ct).ConfigureAwait(false) : null;
        return text is null
            ? new LogsResult(request.RequestId, request.ServiceId, request.InstanceNumber, "", $"instance {key} is not on node {_options.NodeName}")
            : new LogsResult(request.RequestId, request.ServiceId, request.InstanceNumber, text);
    }

    /// <summary>Every instance this node holds, running ones with their CPU and memory use: the <c>jobs/resources</c> payload.</summary>
    public async Task<List<InstanceReport>> InventoryAsync(CancellationToken ct)
    {
        await RecoveredAsync(ct).ConfigureAwait(false);
        var reports = new List<InstanceReport>();
        var totalMb = _monitor.MemoryTotalMb;
        foreach (var runtime in _runtimes)
        {
            var first = reports.Count;
            runtime.CollectReports(reports);
            for (var i = first; i < reports.Count; i++)
            {
                var report = reports[i];
                if (report.Status != InstanceStatus.Running ||
                    await runtime.StatsAsync(new InstanceKey(report.ServiceId, report.InstanceNumber), ct).ConfigureAwait(false) is not { } stats)
                {
                    continue;
                }

                reports[i] = report with
                {
                    CpuPercent = Math.Round(stats.CpuPercent, 3),
                    Memory = Math.Round(stats.MemoryMb, 3),
                    MemoryPercent = totalMb > 0 ? Math.Round(stats.MemoryMb * 100 / totalMb, 3) : null,
                };
            }
        }

        return reports;
    }

    /// <summary>At node engine shutdown: stops the instances (keeping what restarts them) when configured to; else leaves them running.</summary>
    public async Task ShutdownAsync(bool stopInstances, CancellationToken ct)
    {
        if (!stopInstances)
        {
            return;
        }

        await RecoveredAsync(ct).ConfigureAwait(false);
        var keys = AllKeys();
        InstancesLog.StoppingAll(_log, keys.Count);
        await ForEachAsync(keys, (runtime, key) => runtime.StopAsync(key, ct)).ConfigureAwait(false);
    }

    /// <summary><c>canopy node --leave</c>: every instance goes, with everything of it; returns how many there were.</summary>
    public async Task<int> RemoveAllAsync(CancellationToken ct)
    {
        await RecoveredAsync(ct).ConfigureAwait(false);
        var keys = AllKeys();
        await ForEachAsync(keys, (runtime, key) => runtime.RemoveAsync(key, ct)).ConfigureAwait(false);
        return keys.Count;
    }

    /// <summary>Runs <paramref name="action"/> on each instance's runtime, in each instance's queue (after what is queued for it).</summary>
    private Task ForEachAsync(IEnumerable<InstanceKey> keys, Func<IRuntime, InstanceKey, Task> action) =>
        Task.WhenAll(keys.Select(key => _queue.Enqueue(key, async () =>
        {
            if (FindHolder(key) is { } runtime)
            {
                await action(runtime, key).ConfigureAwait(false);
            }

            return true;
        })));

    private IRuntime? FindHolder(InstanceKey key) => _runtimes.FirstOrDefault(r => r.Find(key) is not null);

    private List<InstanceKey> AllKeys()
    {
        var reports = new List<InstanceReport>();
        foreach (var runtime in _runtimes)
        {
            runtime.CollectReports(reports);
        }

        return reports.Select(r => new InstanceKey(r.ServiceId, r.InstanceNumber)).ToList();
    }

    private InstanceReport Publish(InstanceReport report)
    {
        _changes.Writer.TryWrite(report);
        return report;
    }
}
