using Canopy.Contracts;
using Canopy.Core.Descriptors;
using Canopy.Core.States;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Linux;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.NetManager;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Runtimes.Processes;

/// <summary>
/// Runs each instance as one host process on the node (the workload itself for <c>exec</c>, a Wasmtime host for
/// <c>wasm</c>, QEMU for <c>vm</c>), in its own cgroup with the SLA's memory and CPU limits, under a shell wrapper that
/// records the exit status in the instance directory (see <see cref="ProcessWrapper"/>). Everything needed to adopt or
/// restart an instance lives in that directory, so the node engine can restart without disturbing (or duplicating)
/// what runs. A runtime built on it says only what to run (<see cref="CommandAsync"/>) and, where it differs, when
/// the workload is ready, how to ask it to stop and which exits are final failures.
/// </summary>
internal abstract partial class ProcessRuntime : RuntimeBase<ProcessInstance, ProcessState>
{
    private static readonly TimeSpan HousekeepingInterval = TimeSpan.FromSeconds(2);

    private readonly CgroupLayout _cgroups;
    private readonly InstanceHosts? _hosts;
    private readonly string _nodeIp;

    /// <param name="hosts">Writes the instance's hosts file, mounted over /etc/hosts for the workload; null when the workload has no use for one.</param>
    protected ProcessRuntime(
        NodeEngineOptions options, CgroupLayout cgroups, InstanceHosts? hosts, NodeFacts facts, ILogger logger, string instancesDir, RuntimeLog log)
        : base(options, logger, instancesDir, log)
    {
        _cgroups = cgroups;
        _hosts = hosts;
        _nodeIp = facts.Ip;
        Directory.CreateDirectory(instancesDir);
        OpenPathToHomes();
        Loop = Task.Run(() => HousekeepAsync(Disposing.Token));
    }

    /// <summary>Whether workloads drop root: only a node engine that has it, and only without the operator's opt-in.</summary>
    protected virtual bool DropsRoot => !Options.ExecAsRoot && LibC.IsRoot;

    public override ValueTask<InstanceStats?> StatsAsync(InstanceKey key, CancellationToken ct)
    {
        if (!Instances.TryGetValue(key, out var instance) || instance.Status != InstanceStatus.Running)
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

    /// <summary>
    /// The instance's cgroup name carries the node's key: an instance moved between two node engines on one kernel (a lab,
    /// the tests) must not share a cgroup, or each engine's stop would kill the other's copy.
    /// </summary>
    internal static string CgroupInstanceName(NodeEngineOptions options, InstanceKey key) => $"{key}.{NodeKey.Of(options.DataDir)}";

    /// <summary>
    /// The workload's command line (the wrapper and, when it drops root, setpriv go before it), or null after
    /// <see cref="RuntimeBase{TInstance,TState}.Fail"/>: FAILED, final until redeployed. Called in CREATING under the
    /// instance's gate, so long preparation (fetching what it runs) belongs here.
    /// </summary>
    protected abstract Task<IReadOnlyList<string>?> CommandAsync(ProcessInstance instance, ProcessStart start, CancellationToken ct);

    /// <summary>
    /// After the process started, before RUNNING: waits until the workload can serve. Null when it can; otherwise why not,
    /// and the instance is FAILED and its processes killed.
    /// </summary>
    protected virtual Task<string?> WaitUntilReadyAsync(ProcessInstance instance, CancellationToken ct) => Task.FromResult<string?>(null);

    /// <summary>Asks the workload to end; the stop then waits <see cref="NodeEngineOptions.StopGracePeriod"/> and kills what is left.</summary>
    protected virtual Task RequestStopAsync(ProcessInstance instance, int processGroup, CancellationToken ct)
    {
        LibC.KillGroup(processGroup, LibC.SigTerm);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Why this exit ends the instance for good (FAILED, no restart: a module that is not one, a guest that cannot boot);
    /// null for an ordinary exit, which the restart policy handles.
    /// </summary>
    protected virtual string? FinalFailure(ProcessInstance instance, int? exitCode) => null;

    /// <summary>
    /// What an ordinary exit (DEAD or COMPLETED, the restart policy applies) was, when the runtime knows more than its
    /// exit code (wasm: the trap its host recorded); null for the policy's own words ("exited with code 1").
    /// </summary>
    protected virtual string? ExitDetail(ProcessInstance instance, int? exitCode) => null;

    /// <summary>The instance cgroup's memory limit in MB (0 = none): the SLA's, unless the host process needs more than its workload (QEMU besides its guest).</summary>
    protected virtual int MemoryLimitMb(ServiceSpec spec) => spec.Memory;

    /// <summary>The RUNNING detail: the limits note (limits the node cannot apply), and what the runtime adds (vm: the accelerator).</summary>
    protected virtual string? RunningDetail(ProcessInstance instance, string? limitsNote) => limitsNote;

    protected override ProcessInstance CreateInstance(InstanceKey key, string dir, ServiceSpec spec) =>
        new(key, new ProcessPaths(dir), new InstanceCgroup(_cgroups, Options.CgroupName, CgroupInstanceName(Options, key)), spec, _nodeIp);

    protected override async Task LaunchAsync(ProcessInstance instance, CancellationToken ct)
    {
        if (await StartProcessAsync(instance, ct).ConfigureAwait(false))
        {
            Watch(instance, alreadyExited: false);
        }
    }

    protected override Task<bool> StartAgainAsync(ProcessInstance instance, CancellationToken ct) => StartProcessAsync(instance, ct);

    protected override async Task HaltAsync(ProcessInstance instance, CancellationToken ct)
    {
        await TerminateAsync(instance, ct).ConfigureAwait(false);
        await instance.Cgroup.RemoveAsync(ct).ConfigureAwait(false);
        instance.ClearRun();
    }

    protected override async Task DeleteAsync(ProcessInstance instance, CancellationToken ct)
    {
        await HaltAsync(instance, ct).ConfigureAwait(false);
        DeleteDirectory(instance);
    }

    protected override Task<string> TailLogAsync(ProcessInstance instance, int tail, CancellationToken ct) =>
        LogFiles.TailAsync(instance.Paths.Log, instance.Paths.RotatedLog, tail, ct);

    /// <summary>The wrapper is our child only for this runtime's lifetime; the process itself keeps running.</summary>
    protected override void LetGo(ProcessInstance instance)
    {
        instance.Child?.Dispose();
        instance.Child = null;
    }

    /// <summary>Rotates the logs every few seconds: instances write them directly, the node engine only trims.</summary>
    private async Task HousekeepAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(HousekeepingInterval);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            RotateLogs();
        }
    }
}

/// <summary>What a process runtime knows before it asks for the command: the SLA's port mappings and the workload's environment, which it may add to.</summary>
internal sealed record ProcessStart(IReadOnlyList<PortMapping> Ports, Dictionary<string, string> Environment);
