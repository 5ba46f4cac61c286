using System.Collections.Concurrent;
using Canopy.Contracts;
using Canopy.Core.States;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Linux;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.NetManager;
using Canopy.NodeEngine.Runtimes.Exec;
using Canopy.NodeEngine.Runtimes.Processes;

namespace Canopy.NodeEngine.Tests.Support;

/// <summary>
/// An exec runtime over a temporary data dir, recording every status change it raises. Disposing it removes every
/// instance (process group, cgroups, directory) and kills whatever pid it saw, so no test leaves a process behind.
/// </summary>
public sealed class ExecHarness : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, byte> _pids = new();
    private readonly ConcurrentDictionary<InstanceKey, byte> _keys = new();
    private readonly Func<NodeEngineOptions, CgroupLayout, ProcessRuntime> _newRuntime;

    public ExecHarness(Action<NodeEngineOptions>? configure = null)
        : this((options, cgroups) => new ExecRuntime(options, cgroups, new InstanceHosts(options), new NodeFacts(options)), options => options.InstancesDir, configure)
    {
    }

    /// <summary>The same harness over another runtime built on <see cref="ProcessRuntime"/> (wasm, vm).</summary>
    /// <param name="newRuntime">Makes the runtime; called again by <see cref="ReplaceRuntimeAsync"/>.</param>
    /// <param name="instancesDir">The runtime's instances directory under the options' data dir.</param>
    internal ExecHarness(Func<NodeEngineOptions, CgroupLayout, ProcessRuntime> newRuntime, Func<NodeEngineOptions, string> instancesDir, Action<NodeEngineOptions>? configure = null)
    {
        _newRuntime = newRuntime;
        Prerequisites.Check();
        DataDir = Directory.CreateTempSubdirectory("canopy-ne-test-").FullName;
        Options = new NodeEngineOptions
        {
            DataDir = DataDir,
            Name = "test-node",
            StopGracePeriod = TimeSpan.FromSeconds(2),
        };
        configure?.Invoke(Options);
        Cgroups = CgroupLayout.Detect();
        InstancesDir = instancesDir(Options);
        Runtime = NewRuntime();
    }

    public string DataDir { get; }
    public NodeEngineOptions Options { get; }
    public CgroupLayout Cgroups { get; }
    public string InstancesDir { get; }
    internal ProcessRuntime Runtime { get; private set; }

    /// <summary>Every report raised, in order, with when it was raised.</summary>
    public ConcurrentQueue<(InstanceReport Report, DateTime At)> Events { get; } = new();

    public static string NewServiceId() => Guid.NewGuid().ToString("N")[..24];

    public static ServiceSpec Spec(string serviceId, params string[] cmd) => new()
    {
        ServiceId = serviceId,
        JobName = $"app.test.svc{serviceId[..6]}.test",
        Virtualization = "exec",
        Cmd = cmd,
        RestartPolicy = RestartPolicy.Always,
    };

    /// <summary>A <c>/bin/sh -c script</c> spec.</summary>
    public static ServiceSpec Shell(string serviceId, string script) => Spec(serviceId, "/bin/sh", "-c", script);

    /// <summary>busybox httpd serving <paramref name="wwwDir"/> on $PORT: the standard exec workload.</summary>
    public static ServiceSpec Httpd(string serviceId, int port, string wwwDir) =>
        Shell(serviceId, $"exec {Prerequisites.Busybox} httpd -f -p \"$PORT\" -h \"$WWW\"") with
        {
            Port = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Environment = [$"WWW={wwwDir}"],
        };

    /// <summary>A directory under the data dir with an index.html holding <paramref name="content"/>.</summary>
    public string MakeSite(string content)
    {
        var www = Directory.CreateDirectory(Path.Combine(DataDir, "www-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        File.WriteAllText(Path.Combine(www, "index.html"), content);
        return www;
    }

    /// <summary>The instance's cgroup (one directory per v1 controller), as the runtime names it.</summary>
    public InstanceCgroup CgroupOf(InstanceKey key) => new(Cgroups, Options.CgroupName, ProcessRuntime.CgroupInstanceName(Options, key));

    public async Task<InstanceReport> DeployAsync(ServiceSpec spec, int instance = 0)
    {
        _keys[new InstanceKey(spec.ServiceId, instance)] = 0;
        var report = await Runtime.DeployAsync(spec, instance, CancellationToken.None);
        Track(report);
        return report;
    }

    public string InstanceDir(InstanceKey key) => Path.Combine(InstancesDir, key.ToString());

    /// <summary>The workload's HOME and working directory, the one it may write.</summary>
    public string HomeDir(InstanceKey key) => Path.Combine(InstanceDir(key), "home");

    public Task<InstanceReport> WaitForAsync(InstanceKey key, Func<InstanceReport, bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually.Until(() => Track(Runtime.Find(key)), r => r is not null && condition(r), $"{key}: {what}", timeout);

    public Task<InstanceReport> WaitForStatusAsync(InstanceKey key, InstanceStatus status, TimeSpan? timeout = null) =>
        WaitForAsync(key, r => r.Status == status, status.ToWireName(), timeout);

    public IReadOnlyList<(InstanceReport Report, DateTime At)> EventsOf(InstanceKey key) =>
        Events.Where(e => e.Report.ServiceId == key.ServiceId && e.Report.InstanceNumber == key.InstanceNumber).ToList();

    /// <summary>Disposes the runtime without stopping its instances and opens a new one over the same data dir.</summary>
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

        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp dir.
        }
    }

    private ProcessRuntime NewRuntime()
    {
        var runtime = _newRuntime(Options, Cgroups);
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
