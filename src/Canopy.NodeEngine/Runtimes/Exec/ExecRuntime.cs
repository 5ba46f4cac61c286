using Canopy.Core.Descriptors;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.NetManager;
using Canopy.NodeEngine.Runtimes.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.Runtimes.Exec;

/// <summary>
/// Runs the SLA's <c>cmd</c> as a native process on the node (like Nomad's exec driver): the process runtime's
/// supervision with nothing between the wrapper and the workload. It sees the machine's file system, resolves its
/// application's services through the hosts file mounted over /etc/hosts, and runs as an unprivileged user of its own
/// unless the node's operator lets exec workloads run as root.
/// </summary>
internal sealed class ExecRuntime : ProcessRuntime
{
    public ExecRuntime(NodeEngineOptions options, CgroupLayout cgroups, InstanceHosts hosts, NodeFacts facts, ILogger<ExecRuntime>? logger = null)
        : this(options, cgroups, hosts, facts, logger ?? (ILogger)NullLogger.Instance)
    {
    }

    private ExecRuntime(NodeEngineOptions options, CgroupLayout cgroups, InstanceHosts hosts, NodeFacts facts, ILogger logger)
        : base(options, cgroups, hosts, facts, logger, options.InstancesDir, new RuntimeLog(logger, firstId: 2000, rotatedId: 2011))
    {
    }

    public override string Name => Virtualizations.Exec;

    public override bool IsAvailable => ProcessWrapper.IsAvailable;

    protected override Task<IReadOnlyList<string>?> CommandAsync(ProcessInstance instance, ProcessStart start, CancellationToken ct)
    {
        var spec = instance.Spec;
        if (spec.Cmd.Count == 0)
        {
            Fail(instance, "exec services need a cmd");
            return Task.FromResult<IReadOnlyList<string>?>(null);
        }

        if (spec.Privileged && !Options.ExecAsRoot)
        {
            Fail(instance, $"privileged exec services run as root, which node {Options.NodeName} does not allow: its operator allows it with canopy node --exec-as-root");
            return Task.FromResult<IReadOnlyList<string>?>(null);
        }

        return Task.FromResult<IReadOnlyList<string>?>([.. spec.Cmd, .. spec.Args]);
    }
}
