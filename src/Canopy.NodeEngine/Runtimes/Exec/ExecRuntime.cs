using Canopy.Contracts;
using Canopy.Core.Descriptors;
using Canopy.Core.States;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.NetManager;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.Runtimes.Exec;

/// <summary>
/// Runs instances as native processes, each in its own cgroup with the SLA's memory and CPU limits, under a shell
/// wrapper that records the exit status in the instance directory (see <see cref="ExecWrapper"/>). Everything
/// needed to adopt or restart an instance lives in that directory, so the node engine can restart without
/// disturbing (or duplicating) what runs.
/// </summary>
internal sealed partial class ExecRuntime : RuntimeBase<ExecInstance, ExecState>
{
    private static readonly TimeSpan HousekeepingInterval = TimeSpan.FromSeconds(2);

    private readonly CgroupLayout _cgroups;
    private readonly InstanceHosts _hosts;
    private readonly string _nodeIp;

    public ExecRuntime(NodeEngineOptions options, CgroupLayout cgroups, InstanceHosts hosts, NodeFacts facts, ILogger<ExecRuntime>? logger = null)
        : this(options, cgroups, hosts, facts, logger ?? (ILogger)NullLogger.Instance)
    {
    }

    private ExecRuntime(NodeEngineOptions options, CgroupLayout cgroups, InstanceHosts hosts, NodeFacts facts, ILogger logger)
        : base(options, logger, options.InstancesDir, new RuntimeLog(logger, firstId: 2000, rotatedId: 2011))
    {
        _cgroups = cgroups;
        _hosts = hosts;
        _nodeIp = facts.Ip;
        Directory.CreateDirectory(options.InstancesDir);
        OpenPathToHomes();
        Loop = Task.Run(() => HousekeepAsync(Disposing.Token));
    }

    public override string Name => Virtualizations.Exec;

    public override bool IsAvailable => ExecWrapper.IsAvailable;

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

    protected override ExecInstance CreateInstance(InstanceKey key, string dir, ServiceSpec spec) =>
        new(key, new ExecPaths(dir), new InstanceCgroup(_cgroups, Options.CgroupName, CgroupInstanceName(Options, key)), spec, _nodeIp);

    protected override async Task LaunchAsync(ExecInstance instance, CancellationToken ct)
    {
        if (await StartProcessAsync(instance, ct).ConfigureAwait(false))
        {
            Watch(instance, alreadyExited: false);
        }
    }

    protected override Task<bool> StartAgainAsync(ExecInstance instance, CancellationToken ct) => StartProcessAsync(instance, ct);

    protected override async Task HaltAsync(ExecInstance instance, CancellationToken ct)
    {
        await TerminateAsync(instance, ct).ConfigureAwait(false);
        await instance.Cgroup.RemoveAsync(ct).ConfigureAwait(false);
        instance.ClearRun();
    }

    protected override async Task DeleteAsync(ExecInstance instance, CancellationToken ct)
    {
        await HaltAsync(instance, ct).ConfigureAwait(false);
        DeleteDirectory(instance);
    }

    protected override Task<string> TailLogAsync(ExecInstance instance, int tail, CancellationToken ct) =>
        LogFiles.TailAsync(instance.Paths.Log, instance.Paths.RotatedLog, tail, ct);

    /// <summary>The wrapper is our child only for this runtime's lifetime; the process itself keeps running.</summary>
    protected override void LetGo(ExecInstance instance)
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
