using Canopy.Contracts;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes;
using Canopy.NodeEngine.Tests.Support;
using Canopy.NodeEngine.Tests.Vm;

namespace Canopy.NodeEngine.Tests.Conformance;

public sealed class VmConformanceTests() : RuntimeConformanceTests(new VmUnderTest());

/// <summary>
/// The vm runtime (QEMU under TCG) with the project's test guest (<see cref="VmGuest"/>): its kernel command line makes it
/// serve, print or end with an exit code. The harness is made on first use: building the guest is asynchronous.
/// </summary>
public sealed class VmUnderTest : IRuntimeUnderTest
{
    private readonly Lazy<VmHarness> _node = new(() => VmHarness.StartAsync().GetAwaiter().GetResult());

    public IRuntime Runtime => Node.Runtime;

    public string PagePath => "/";

    public string PageText => VmGuest.PageMark;

    private VmHarness Node => _node.Value;

    public IReadOnlyList<(InstanceReport Report, DateTime At)> EventsOf(InstanceKey key) => Node.EventsOf(key);

    public Task<InstanceReport> DeployAsync(ServiceSpec spec, int instance = 0) => Node.DeployAsync(spec, instance);

    public Task ReplaceRuntimeAsync() => Node.ReplaceRuntimeAsync();

    public ServiceSpec Serving(string serviceId, int port) => Node.Spec(serviceId, port);

    public ServiceSpec Printing(string serviceId, string word) => Node.Spec(serviceId, null) with { Cmd = [$"canopy.say={word}"] };

    public ServiceSpec Exiting(string serviceId, int exitCode) => Node.Spec(serviceId, null) with { Cmd = [$"canopy.exit={exitCode}"] };

    public ServiceSpec Idle(string serviceId) => Node.Spec(serviceId, null);

    public (ServiceSpec Spec, string Reason) Invalid(string serviceId)
    {
        Node.Files.Add("not-a-kernel", "#!/bin/sh\necho not a kernel\n"u8.ToArray());
        return (Node.Spec(serviceId, null, "not-a-kernel"), "is not a kernel image");
    }

    /// <summary>QEMU, the wrapper's child.</summary>
    public Task KillWorkloadAsync(InstanceKey key) => ProcessChecks.KillWorkloadAsync(Runtime, key);

    public Task<IReadOnlyList<string>> RunningCopiesAsync(InstanceKey key) =>
        Task.FromResult(ProcessChecks.RunningCopies(Node.CgroupOf(key), PidsOf(key)));

    public Task<IReadOnlyList<string>> LeftOnNodeAsync(InstanceKey key) =>
        Task.FromResult<IReadOnlyList<string>>(
        [
            .. ProcessChecks.LeftOnNode(Node.CgroupOf(key), PidsOf(key)),
            .. VmHarness.QemuProcessesOf(key).Select(pid => $"QEMU process {pid}"),
        ]);

    public string InstanceDir(InstanceKey key) => Node.InstanceDir(key);

    public async ValueTask DisposeAsync()
    {
        if (_node.IsValueCreated)
        {
            await _node.Value.DisposeAsync();
        }
    }

    private IEnumerable<int> PidsOf(InstanceKey key) => Node.EventsOf(key).Select(e => e.Report.Pid).OfType<int>().Distinct();
}
