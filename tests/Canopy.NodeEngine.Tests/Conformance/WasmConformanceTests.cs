using Canopy.Contracts;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes;
using Canopy.NodeEngine.Tests.Support;
using Canopy.NodeEngine.Tests.Wasm;

namespace Canopy.NodeEngine.Tests.Conformance;

public sealed class WasmConformanceTests() : RuntimeConformanceTests(new WasmUnderTest());

/// <summary>The wasm runtime over its own temporary data dir (<see cref="WasmHarness"/>); the workloads are the WAT test modules, fetched by URL.</summary>
public sealed class WasmUnderTest : IRuntimeUnderTest
{
    private readonly WasmHarness _node = new();

    public IRuntime Runtime => _node.Runtime;

    public string PagePath => "/";

    public string PageText => "hello from wasm";

    public IReadOnlyList<(InstanceReport Report, DateTime At)> EventsOf(InstanceKey key) => _node.EventsOf(key);

    public Task<InstanceReport> DeployAsync(ServiceSpec spec, int instance = 0) => _node.DeployAsync(spec, instance);

    public Task ReplaceRuntimeAsync() => _node.ReplaceRuntimeAsync();

    public ServiceSpec Serving(string serviceId, int port) => _node.Serving(serviceId, port);

    public ServiceSpec Printing(string serviceId, string word) => _node.Spec(serviceId, "sleeper", word);

    public ServiceSpec Exiting(string serviceId, int exitCode) => _node.Spec(serviceId, "exit", exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public ServiceSpec Idle(string serviceId) => _node.Spec(serviceId, "sleeper");

    public (ServiceSpec Spec, string Reason) Invalid(string serviceId) => (_node.Spec(serviceId, "not-wasm"), "is not a WebAssembly module");

    /// <summary>The wrapper's child: the wasm host, which the wrapper outlives to record its exit.</summary>
    public Task KillWorkloadAsync(InstanceKey key) => ProcessChecks.KillWorkloadAsync(Runtime, key);

    public Task<IReadOnlyList<string>> RunningCopiesAsync(InstanceKey key) =>
        Task.FromResult(ProcessChecks.RunningCopies(_node.CgroupOf(key), _node.PidsOf(key)));

    public Task<IReadOnlyList<string>> LeftOnNodeAsync(InstanceKey key) =>
        Task.FromResult(ProcessChecks.LeftOnNode(_node.CgroupOf(key), _node.PidsOf(key)));

    public string InstanceDir(InstanceKey key) => _node.InstanceDir(key);

    public ValueTask DisposeAsync() => _node.DisposeAsync();
}
