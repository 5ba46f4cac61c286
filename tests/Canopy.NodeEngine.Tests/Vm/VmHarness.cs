using System.Collections.Concurrent;
using Canopy.Contracts;
using Canopy.Core.States;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Linux;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.Runtimes.Artifacts;
using Canopy.NodeEngine.Runtimes.Processes;
using Canopy.NodeEngine.Runtimes.Vm;
using Canopy.NodeEngine.Tests.Artifacts;
using Canopy.NodeEngine.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.Tests.Vm;

/// <summary>
/// A vm runtime over a temporary data dir (TCG: the probe has its own test), with a file server holding the test guest
/// (<c>/bundle.tar.gz</c>, <c>/kernel</c>). Disposing it removes every instance and kills whatever process it saw.
/// </summary>
public sealed class VmHarness : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, byte> _pids = new();
    private readonly ConcurrentDictionary<InstanceKey, byte> _keys = new();
    private readonly ArtifactCache _artifacts;

    private VmHarness(GuestFiles guest, Action<NodeEngineOptions>? configure)
    {
        DataDir = Directory.CreateTempSubdirectory("canopy-vm-test-").FullName;
        Options = new NodeEngineOptions
        {
            DataDir = DataDir,
            Name = "test-node",
            StopGracePeriod = TimeSpan.FromSeconds(20),
            VmAccelerator = "tcg",
        };
        configure?.Invoke(Options);
        Files.Add("bundle.tar.gz", File.ReadAllBytes(guest.Bundle));
        Files.Add("kernel", File.ReadAllBytes(guest.Kernel));
        _artifacts = new ArtifactCache(Options, NullLogger<ArtifactCache>.Instance);
        Runtime = NewRuntime();
    }

    public string DataDir { get; }
    public NodeEngineOptions Options { get; }
    public FileServer Files { get; } = new();
    internal VmRuntime Runtime { get; private set; }

    public CgroupLayout Cgroups { get; } = CgroupLayout.Detect();

    public ConcurrentQueue<(InstanceReport Report, DateTime At)> Events { get; } = new();

    public static async Task<VmHarness> StartAsync(Action<NodeEngineOptions>? configure = null) =>
        new(await VmGuest.GetAsync(), configure);

    /// <summary>A vm spec booting the test guest's bundle, its page forwarded from <paramref name="hostPort"/>.</summary>
    public ServiceSpec Spec(int hostPort, string file = "bundle.tar.gz") => Spec(Guid.NewGuid().ToString("N")[..24], hostPort, file);

    public ServiceSpec Spec(string id, int? hostPort, string file = "bundle.tar.gz")
    {
        return new ServiceSpec
        {
            ServiceId = id,
            JobName = $"app.test.vm{id[..6]}.test",
            Virtualization = "vm",
            Code = Files.Url(file),
            Port = hostPort is { } port ? $"{port}:80" : null,
            Memory = 128,
            RestartPolicy = RestartPolicy.Always,
        };
    }

    public async Task<InstanceReport> DeployAsync(ServiceSpec spec, int instance = 0)
    {
        _keys[new InstanceKey(spec.ServiceId, instance)] = 0;
        return Track(await Runtime.DeployAsync(spec, instance, CancellationToken.None))!;
    }

    public string InstanceDir(InstanceKey key) => Path.Combine(Options.VmsDir, key.ToString());

    public string CgroupName(InstanceKey key) => ProcessRuntime.CgroupInstanceName(Options, key);

    public InstanceCgroup CgroupOf(InstanceKey key) => new(Cgroups, Options.CgroupName, CgroupName(key));

    /// <summary>Disposes the runtime without stopping its instances and opens a new one over the same data dir.</summary>
    public async Task ReplaceRuntimeAsync()
    {
        await Runtime.DisposeAsync();
        Runtime = NewRuntime();
        await Runtime.RecoverAsync(CancellationToken.None);
    }

    public string ReadLog(InstanceKey key) => File.ReadAllText(Path.Combine(InstanceDir(key), "stdout.log"));

    /// <summary>Boots take seconds under TCG, more on a busy machine.</summary>
    public Task<InstanceReport> WaitForAsync(InstanceKey key, Func<InstanceReport, bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually.Until(() => Track(Runtime.Find(key)), r => r is not null && condition(r), $"{key}: {what}", timeout ?? TimeSpan.FromSeconds(120));

    public IReadOnlyList<(InstanceReport Report, DateTime At)> EventsOf(InstanceKey key) =>
        Events.Where(e => e.Report.ServiceId == key.ServiceId && e.Report.InstanceNumber == key.InstanceNumber).ToList();

    /// <summary>The QEMU process of a running instance: the wrapper's child.</summary>
    public static int QemuOf(InstanceReport report) => Procs.ChildrenOf(report.Pid!.Value).ShouldHaveSingleItem();

    /// <summary>Every QEMU process on the machine whose command line names this instance.</summary>
    public static IReadOnlyList<int> QemuProcessesOf(InstanceKey key) =>
        Directory.EnumerateDirectories("/proc")
            .Where(d => int.TryParse(Path.GetFileName(d), out _))
            .Where(d =>
            {
                try
                {
                    var cmdline = File.ReadAllText(Path.Combine(d, "cmdline"));
                    return cmdline.Contains(VmGuest.Qemu, StringComparison.Ordinal) && cmdline.Contains($"canopy-{key}", StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false;
                }
            })
            .Select(d => int.Parse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture))
            .ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var key in _keys.Keys)
        {
            try
            {
                await Runtime.RemoveAsync(key, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception)
            {
                // The safety net below still kills what it can.
            }

            foreach (var qemu in QemuProcessesOf(key))
            {
                LibC.Kill(qemu, LibC.SigKill);
            }
        }

        await Runtime.DisposeAsync();
        foreach (var pid in _pids.Keys)
        {
            LibC.KillGroup(pid, LibC.SigKill);
        }

        _artifacts.Dispose();
        await Files.DisposeAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp dir.
        }
    }

    private VmRuntime NewRuntime()
    {
        var runtime = new VmRuntime(Options, Cgroups, new NodeFacts(Options), _artifacts);
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
