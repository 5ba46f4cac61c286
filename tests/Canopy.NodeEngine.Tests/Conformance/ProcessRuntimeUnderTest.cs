using Canopy.Contracts;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Conformance;

/// <summary>
/// A runtime built on the process machinery (exec, wasm, vm) in an <see cref="ExecHarness"/>: one wrapper per instance
/// with the workload (or its host process) as its child, in the instance's cgroup. A derived class says only which
/// workloads to run (<see cref="ProcessChecks"/> looks at the node).
/// </summary>
public abstract class ProcessRuntimeUnderTest(ExecHarness node) : IRuntimeUnderTest
{
    protected ExecHarness Node { get; } = node;

    public IRuntime Runtime => Node.Runtime;

    public abstract string PagePath { get; }

    public abstract string PageText { get; }

    public IReadOnlyList<(InstanceReport Report, DateTime At)> EventsOf(InstanceKey key) => Node.EventsOf(key);

    public Task<InstanceReport> DeployAsync(ServiceSpec spec, int instance = 0) => Node.DeployAsync(spec, instance);

    public Task ReplaceRuntimeAsync() => Node.ReplaceRuntimeAsync();

    public abstract ServiceSpec Serving(string serviceId, int port);

    public abstract ServiceSpec Printing(string serviceId, string word);

    public abstract ServiceSpec Exiting(string serviceId, int exitCode);

    public abstract ServiceSpec Idle(string serviceId);

    public abstract (ServiceSpec Spec, string Reason) Invalid(string serviceId);

    /// <summary>The wrapper's children: the workload, which the wrapper outlives to record its exit.</summary>
    public Task KillWorkloadAsync(InstanceKey key) => ProcessChecks.KillWorkloadAsync(Runtime, key);

    public Task<IReadOnlyList<string>> RunningCopiesAsync(InstanceKey key) =>
        Task.FromResult(ProcessChecks.RunningCopies(Node.CgroupOf(key), PidsOf(key)));

    public Task<IReadOnlyList<string>> LeftOnNodeAsync(InstanceKey key) =>
        Task.FromResult(ProcessChecks.LeftOnNode(Node.CgroupOf(key), PidsOf(key)));

    public string InstanceDir(InstanceKey key) => Node.InstanceDir(key);

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Node.DisposeAsync();
    }

    private IEnumerable<int> PidsOf(InstanceKey key) => Node.EventsOf(key).Select(e => e.Report.Pid).OfType<int>().Distinct();
}
