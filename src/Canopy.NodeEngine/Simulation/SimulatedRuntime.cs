using System.Collections.Concurrent;
using Canopy.Contracts;
using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes;

namespace Canopy.NodeEngine.Simulation;

/// <summary>
/// The <c>simulated</c> runtime of DESIGN.md: instances that exist only as state, for scale runs with thousands of nodes in
/// one process. It answers to a real virtualization name (<c>exec</c>, <c>container</c>) so that SLAs place on it unchanged,
/// and walks each instance through CREATING to RUNNING as a real runtime reports it. Nothing is started or written to disk.
/// </summary>
internal sealed class SimulatedRuntime(string name) : IRuntime
{
    private readonly ConcurrentDictionary<InstanceKey, InstanceReport> _instances = new();

    public string Name { get; } = name;

    public bool IsAvailable => true;

    public event Action<InstanceReport>? StatusChanged;

    public Task RecoverAsync(CancellationToken ct) => Task.CompletedTask;

    public Task<InstanceReport> DeployAsync(ServiceSpec spec, int instanceNumber, CancellationToken ct)
    {
        var key = new InstanceKey(spec.ServiceId, instanceNumber);
        if (_instances.TryGetValue(key, out var running))
        {
            Report(running);
            return Task.FromResult(running);
        }

        var now = DateTimeOffset.UtcNow;
        var creating = new InstanceReport
        {
            ServiceId = spec.ServiceId,
            JobName = spec.JobName,
            InstanceNumber = instanceNumber,
            Status = InstanceStatus.Creating,
            Timestamp = now,
        };
        Report(creating);
        var report = creating with { Status = InstanceStatus.Running, StartedAt = now, Timestamp = DateTimeOffset.UtcNow };
        _instances[key] = report;
        Report(report);
        return Task.FromResult(report);
    }

    public Task StopAsync(InstanceKey key, CancellationToken ct) => Task.CompletedTask;

    public Task<InstanceReport> RemoveAsync(InstanceKey key, CancellationToken ct)
    {
        var report = _instances.TryRemove(key, out var removed)
            ? removed with { Status = InstanceStatus.Undeployed, Timestamp = DateTimeOffset.UtcNow }
            : new InstanceReport { ServiceId = key.ServiceId, InstanceNumber = key.InstanceNumber, Status = InstanceStatus.Undeployed, Timestamp = DateTimeOffset.UtcNow };
        Report(report);
        return Task.FromResult(report);
    }

    public InstanceReport? Find(InstanceKey key) => _instances.GetValueOrDefault(key);

    public void CollectReports(List<InstanceReport> reports) => reports.AddRange(_instances.Values);

    /// <summary>A simulated instance uses nothing.</summary>
    public ValueTask<InstanceStats?> StatsAsync(InstanceKey key, CancellationToken ct) =>
        ValueTask.FromResult<InstanceStats?>(_instances.ContainsKey(key) ? new InstanceStats(0, 0) : null);

    public Task<string?> ReadLogsAsync(InstanceKey key, int tail, CancellationToken ct) =>
        Task.FromResult(_instances.ContainsKey(key) ? $"simulated instance {key} has no output\n" : null);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Report(InstanceReport report) => StatusChanged?.Invoke(report);
}
