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
using Canopy.Testing;
using Canopy.NodeEngine.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.Tests.Wasm;

/// <summary>
/// A wasm runtime over a temporary data dir with the real host (canopy-wasm, built next to the tests), and an HTTP server
/// handing out the test modules by URL. Records every status change; disposing removes every instance and kills every pid
/// it saw.
/// </summary>
public sealed class WasmHarness : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, byte> _pids = new();
    private readonly ConcurrentDictionary<InstanceKey, byte> _keys = new();
    private readonly ArtifactCache _artifacts;

    public WasmHarness(Action<NodeEngineOptions>? configure = null)
    {
        Prerequisites.Check();
        DataDir = Directory.CreateTempSubdirectory("canopy-wasm-test-").FullName;
        Options = new NodeEngineOptions
        {
            DataDir = DataDir,
            Name = "wasm-test-node",
            StopGracePeriod = TimeSpan.FromSeconds(2),
            ArtifactAnswerTimeout = TimeSpan.FromSeconds(3),
        };
        configure?.Invoke(Options);
        Cgroups = CgroupLayout.Detect();
        _artifacts = new ArtifactCache(Options, NullLogger<ArtifactCache>.Instance);
        foreach (var name in new[] { "hello", "sleeper", "trap", "grow", "http", "exit" })
        {
            Modules.Add(name + ".wasm", WasmModules.Bytes(name));
        }

        Modules.Add("not-wasm.wasm", "<html>this is a web page</html>"u8.ToArray());
        Runtime = NewRuntime();
    }

    public string DataDir { get; }
    public NodeEngineOptions Options { get; }
    public CgroupLayout Cgroups { get; }

    /// <summary>Serves the compiled modules at <c>/name.wasm</c>.</summary>
    public FileServer Modules { get; } = new();

    internal WasmRuntime Runtime { get; private set; }

    public ConcurrentQueue<(InstanceReport Report, DateTime At)> Events { get; } = new();

    public static string NewServiceId() => Guid.NewGuid().ToString("N")[..24];

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

    public async Task<InstanceReport> DeployAsync(ServiceSpec spec, int instance = 0)
    {
        _keys[new InstanceKey(spec.ServiceId, instance)] = 0;
        var report = await Runtime.DeployAsync(spec, instance, CancellationToken.None);
        Track(report);
        return report;
    }

    public string InstanceDir(InstanceKey key) => Path.Combine(Options.WasmDir, key.ToString());

    public InstanceCgroup CgroupOf(InstanceKey key) => new(Cgroups, Options.CgroupName, ProcessRuntime.CgroupInstanceName(Options, key));

    public IEnumerable<int> PidsOf(InstanceKey key) => EventsOf(key).Select(e => e.Report.Pid).OfType<int>().Distinct();

    public Task<InstanceReport> WaitForAsync(InstanceKey key, Func<InstanceReport, bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually.Until(() => Track(Runtime.Find(key)), r => r is not null && condition(r), $"{key}: {what}", timeout);

    public Task<InstanceReport> WaitForStatusAsync(InstanceKey key, InstanceStatus status, TimeSpan? timeout = null) =>
        WaitForAsync(key, r => r.Status == status, status.ToWireName(), timeout);

    public IReadOnlyList<(InstanceReport Report, DateTime At)> EventsOf(InstanceKey key) =>
        Events.Where(e => e.Report.ServiceId == key.ServiceId && e.Report.InstanceNumber == key.InstanceNumber).ToList();

    public Task<string> LogAsync(InstanceKey key) => Runtime.ReadLogsAsync(key, 200, CancellationToken.None).ContinueWith(t => t.Result ?? "");

    /// <summary>A node engine restart: disposes the runtime without stopping its instances and opens a new one over the same data dir.</summary>
    public async Task ReplaceRuntimeAsync()
    {
        await Runtime.DisposeAsync();
        Runtime = NewRuntime();
        await Runtime.RecoverAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var key in _keys.Keys)
        {
            try
            {
                await Runtime.RemoveAsync(key, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (Exception)
            {
                // The safety net below still kills what it can.
            }
        }

        await Runtime.DisposeAsync();
        foreach (var pid in _pids.Keys)
        {
            LibC.KillGroup(pid, LibC.SigKill);
            LibC.Kill(pid, LibC.SigKill);
        }

        _artifacts.Dispose();
        await Modules.DisposeAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp dir.
        }
    }

    private WasmRuntime NewRuntime()
    {
        var runtime = new WasmRuntime(Options, Cgroups, new NodeFacts(Options), _artifacts);
        runtime.StatusChanged += report =>
        {
            Track(report);
            Events.Enqueue((report, DateTime.UtcNow));
        };
        return runtime;
    }

    private InstanceReport? Track(InstanceReport? report)
    {
        if (report?.Pid is { } pid)
        {
            _pids[pid] = 0;
        }

        return report;
    }
}
