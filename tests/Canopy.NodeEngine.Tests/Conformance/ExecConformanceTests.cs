using Canopy.Contracts;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Conformance;

public sealed class ExecConformanceTests() : RuntimeConformanceTests(new ExecUnderTest());

/// <summary>The exec runtime over its own temporary data dir (<see cref="ExecHarness"/>); the workloads are busybox commands.</summary>
public sealed class ExecUnderTest : IRuntimeUnderTest
{
    private readonly ExecHarness _node = new();

    public IRuntime Runtime => _node.Runtime;

    public string PagePath => "/index.html";

    public string PageText => "hello from an exec instance";

    public IReadOnlyList<(InstanceReport Report, DateTime At)> EventsOf(InstanceKey key) => _node.EventsOf(key);

    public Task<InstanceReport> DeployAsync(ServiceSpec spec, int instance = 0) => _node.DeployAsync(spec, instance);

    public Task ReplaceRuntimeAsync() => _node.ReplaceRuntimeAsync();

    public ServiceSpec Serving(string serviceId, int port) => ExecHarness.Httpd(serviceId, port, _node.MakeSite(PageText));

    public ServiceSpec Printing(string serviceId, string word) => ExecHarness.Shell(serviceId, $"echo {word}; exec sleep 300");

    public ServiceSpec Exiting(string serviceId, int exitCode) => ExecHarness.Shell(serviceId, $"exit {exitCode}");

    public ServiceSpec Idle(string serviceId) => ExecHarness.Shell(serviceId, "exec sleep 300");

    public (ServiceSpec Spec, string Reason) Invalid(string serviceId) => (ExecHarness.Spec(serviceId), "exec services need a cmd");

    /// <summary>The wrapper's children: the workload, which the wrapper outlives to record its exit.</summary>
    public Task KillWorkloadAsync(InstanceKey key) => ProcessChecks.KillWorkloadAsync(Runtime, key);

    public Task<IReadOnlyList<string>> RunningCopiesAsync(InstanceKey key) =>
        Task.FromResult(ProcessChecks.RunningCopies(_node.CgroupOf(key), PidsOf(key)));

    public Task<IReadOnlyList<string>> LeftOnNodeAsync(InstanceKey key) =>
        Task.FromResult(ProcessChecks.LeftOnNode(_node.CgroupOf(key), PidsOf(key)));

    public string InstanceDir(InstanceKey key) => _node.InstanceDir(key);

    public ValueTask DisposeAsync() => _node.DisposeAsync();

    private IEnumerable<int> PidsOf(InstanceKey key) => _node.EventsOf(key).Select(e => e.Report.Pid).OfType<int>().Distinct();
}
