using Canopy.Contracts;
using Canopy.Core.Descriptors;
using Canopy.NodeEngine.Instances;

namespace Canopy.NodeEngine.Runtimes.Container;

/// <summary>
/// One container instance in memory: the shared bookkeeping plus its sandbox, container, published ports and the
/// watch loop's stats samples (read under the same lock as the report).
/// </summary>
internal sealed class ContainerInstance(InstanceKey key, ContainerPaths paths, ServiceSpec spec)
    : RuntimeInstance<ContainerInstanceState>(key, paths, spec)
{
    private ulong _lastCpuNs;
    private long _lastCpuTimestamp;

    public string? SandboxId { get; private set; }

    /// <summary>The address CNI gave the sandbox; null until asked (and for a sandbox without network status).</summary>
    public string? SandboxIp { get; private set; }
    public string? ContainerId { get; private set; }
    public uint SandboxAttempt { get; set; }

    /// <summary>The host ports its sandbox publishes (DNAT binds nothing, so only this list tells they are taken).</summary>
    public IReadOnlyList<PortMapping> PublishedPorts { get; set; } = [];

    /// <summary>CPU since the previous sample (0 for the first) and memory of the last sample; null before the first.</summary>
    public InstanceStats? Stats { get; private set; }

    protected override string? ReportedInstanceIp => SandboxIp;

    /// <summary>Another sandbox has another address: the one known goes with the old sandbox.</summary>
    public void SetSandbox(string? sandboxId)
    {
        lock (Sync)
        {
            if (sandboxId != SandboxId)
            {
                SandboxIp = null;
            }

            SandboxId = sandboxId;
        }
    }

    public void SetSandboxIp(string? ip)
    {
        lock (Sync)
        {
            SandboxIp = ip;
        }
    }

    public void SetContainer(string? containerId, DateTimeOffset? startedAt)
    {
        lock (Sync)
        {
            ContainerId = containerId;
            StartedAt = startedAt;
            Stats = null;
            _lastCpuTimestamp = 0;
        }
    }

    public override void ClearRun()
    {
        PublishedPorts = [];
        SetSandbox(null);
        SetContainer(null, null);
    }

    /// <summary>Takes one CRI stats sample; CPU is the share of the whole node (all cores = 100) since the previous sample.</summary>
    public void AddSample(ulong cpuNs, long timestampNs, ulong workingSetBytes)
    {
        lock (Sync)
        {
            var cpu = 0.0;
            if (_lastCpuTimestamp > 0 && timestampNs > _lastCpuTimestamp && cpuNs >= _lastCpuNs)
            {
                cpu = (cpuNs - _lastCpuNs) * 100.0 / (timestampNs - _lastCpuTimestamp) / Environment.ProcessorCount;
            }

            _lastCpuNs = cpuNs;
            _lastCpuTimestamp = timestampNs;
            Stats = new InstanceStats(cpu, workingSetBytes / (1024.0 * 1024.0));
        }
    }

    public override ContainerInstanceState ToState()
    {
        lock (Sync)
        {
            return WithSharedFields(new ContainerInstanceState
            {
                SandboxId = SandboxId,
                SandboxIp = SandboxIp,
                ContainerId = ContainerId,
                SandboxAttempt = SandboxAttempt,
            });
        }
    }

    public override void Load(ContainerInstanceState state)
    {
        base.Load(state);
        SetSandbox(state.SandboxId);
        SetSandboxIp(state.SandboxIp);
        SetContainer(state.ContainerId, state.StartedAt);
        SandboxAttempt = state.SandboxAttempt;
    }
}
