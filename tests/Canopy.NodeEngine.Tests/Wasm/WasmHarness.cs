using System.Collections.Concurrent;
using System.Globalization;
using Canopy.Contracts;
using Canopy.Core.States;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Linux;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.Runtimes.Artifacts;
using Canopy.NodeEngine.Runtimes.Processes;
using Canopy.NodeEngine.Runtimes.Wasm;
using Canopy.NodeEngine.Tests.Support;
using Canopy.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.Tests.Wasm;

/// <summary>
/// A wasm runtime in an <see cref="ExecHarness"/> with the real host (canopy-wasm, built next to the tests), and an HTTP server
/// handing out the test modules by URL. Disposing it removes every instance and kills every pid it saw.
/// </summary>
public sealed class WasmHarness : IAsyncDisposable
{
    private ArtifactCache? _artifacts;

    public WasmHarness(Action<NodeEngineOptions>? configure = null)
    {
        Node = new ExecHarness(
            (options, cgroups) => new WasmRuntime(options, cgroups, new NodeFacts(options), _artifacts ??= new ArtifactCache(options, NullLogger<ArtifactCache>.Instance)),
            options => options.WasmDir,
            options =>
            {
                options.ArtifactAnswerTimeout = TimeSpan.FromSeconds(3);
                configure?.Invoke(options);
            });
        foreach (var name in new[] { "hello", "sleeper", "trap", "late-trap", "grow", "http", "exit" })
        {
            Modules.Add(name + ".wasm", WasmModules.Bytes(name));
        }

        Modules.Add("not-wasm.wasm", "<html>this is a web page</html>"u8.ToArray());
    }

    public ExecHarness Node { get; }
    public NodeEngineOptions Options => Node.Options;

    /// <summary>Serves the compiled modules at <c>/name.wasm</c>.</summary>
    public FileServer Modules { get; } = new();

    internal WasmRuntime Runtime => (WasmRuntime)Node.Runtime;

    public static string NewServiceId() => ExecHarness.NewServiceId();

    /// <summary>A wasm service running the test module <paramref name="module"/> with <paramref name="args"/> as its cmd.</summary>
    public ServiceSpec Spec(string serviceId, string module, params string[] args) => new()
    {
        ServiceId = serviceId,
        JobName = $"app.test.wasm{serviceId[..6]}.test",
        Virtualization = "wasm",
        Code = Modules.Url(module + ".wasm"),
        Cmd = args,
        RestartPolicy = RestartPolicy.Always,
    };

    public ServiceSpec Serving(string serviceId, int port) =>
        Spec(serviceId, "http") with { Port = port.ToString(CultureInfo.InvariantCulture), Environment = ["GREETING=from the SLA"] };

    public Task<InstanceReport> DeployAsync(ServiceSpec spec, int instance = 0) => Node.DeployAsync(spec, instance);

    public string InstanceDir(InstanceKey key) => Node.InstanceDir(key);

    public InstanceCgroup CgroupOf(InstanceKey key) => Node.CgroupOf(key);

    public IEnumerable<int> PidsOf(InstanceKey key) => EventsOf(key).Select(e => e.Report.Pid).OfType<int>().Distinct();

    public Task<InstanceReport> WaitForAsync(InstanceKey key, Func<InstanceReport, bool> condition, string what, TimeSpan? timeout = null) =>
        Node.WaitForAsync(key, condition, what, timeout);

    public Task<InstanceReport> WaitForStatusAsync(InstanceKey key, InstanceStatus status, TimeSpan? timeout = null) =>
        Node.WaitForStatusAsync(key, status, timeout);

    public IReadOnlyList<(InstanceReport Report, DateTime At)> EventsOf(InstanceKey key) => Node.EventsOf(key);

    public Task<string> LogAsync(InstanceKey key) => Runtime.ReadLogsAsync(key, 200, CancellationToken.None).ContinueWith(t => t.Result ?? "");

    /// <summary>A node engine restart: disposes the runtime without stopping its instances and opens a new one over the same data dir.</summary>
    public Task ReplaceRuntimeAsync() => Node.ReplaceRuntimeAsync();

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        _artifacts?.Dispose();
        await Modules.DisposeAsync();
    }
}
