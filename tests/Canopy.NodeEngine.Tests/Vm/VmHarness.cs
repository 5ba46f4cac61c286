using System.Collections.Concurrent;
using Canopy.Contracts;
using Canopy.Core.States;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Linux;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.Runtimes.Artifacts;
using Canopy.NodeEngine.Runtimes.Vm;
using Canopy.NodeEngine.Tests.Support;
using Canopy.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.Tests.Vm;

/// <summary>
/// A vm runtime in an <see cref="ExecHarness"/> (TCG: the probe has its own test), with a file server holding the test guest
/// (<c>/bundle.tar.gz</c>, <c>/kernel</c>). Disposing it removes every instance and kills any QEMU of its instances left.
/// </summary>
public sealed class VmHarness : IAsyncDisposable
{
    private readonly ConcurrentDictionary<InstanceKey, byte> _keys = new();
    private ArtifactCache? _artifacts;

    private VmHarness(GuestFiles guest, Action<NodeEngineOptions>? configure)
    {
        Node = new ExecHarness(
            (options, cgroups) => new VmRuntime(options, cgroups, new NodeFacts(options), _artifacts ??= new ArtifactCache(options, NullLogger<ArtifactCache>.Instance)),
            options => options.VmsDir,
            options =>
            {
                // Long enough for the guest to shut down on the power button, on a busy machine.
                options.StopGracePeriod = TimeSpan.FromSeconds(20);
                options.VmAccelerator = "tcg";
                configure?.Invoke(options);
            });
        Files.Add("bundle.tar.gz", File.ReadAllBytes(guest.Bundle));
        Files.Add("kernel", File.ReadAllBytes(guest.Kernel));
    }

    public ExecHarness Node { get; }
    public FileServer Files { get; } = new();
    public NodeEngineOptions Options => Node.Options;
    internal VmRuntime Runtime => (VmRuntime)Node.Runtime;

    public static async Task<VmHarness> StartAsync(Action<NodeEngineOptions>? configure = null) =>
        new(await VmGuest.GetAsync(), configure);

    /// <summary>A vm spec booting the test guest's bundle, its page forwarded from <paramref name="hostPort"/>.</summary>
    public ServiceSpec Spec(int hostPort, string file = "bundle.tar.gz") => Spec(ExecHarness.NewServiceId(), hostPort, file);

    /// <summary>The same for a given service id; without a port, the guest is up once it printed on its console.</summary>
    public ServiceSpec Spec(string id, int? hostPort, string file = "bundle.tar.gz") => new()
    {
        ServiceId = id,
        JobName = $"app.test.vm{id[..6]}.test",
        Virtualization = "vm",
        Code = Files.Url(file),
        Port = hostPort is { } port ? $"{port}:80" : null,
        Memory = 128,
        RestartPolicy = RestartPolicy.Always,
    };

    public Task<InstanceReport> DeployAsync(ServiceSpec spec, int instance = 0)
    {
        _keys[new InstanceKey(spec.ServiceId, instance)] = 0;
        return Node.DeployAsync(spec, instance);
    }

    public string InstanceDir(InstanceKey key) => Node.InstanceDir(key);

    public InstanceCgroup CgroupOf(InstanceKey key) => Node.CgroupOf(key);

    public string ReadLog(InstanceKey key) => File.ReadAllText(Path.Combine(InstanceDir(key), "stdout.log"));

    /// <summary>Boots take seconds under TCG, more on a busy machine.</summary>
    public Task<InstanceReport> WaitForAsync(InstanceKey key, Func<InstanceReport, bool> condition, string what, TimeSpan? timeout = null) =>
        Node.WaitForAsync(key, condition, what, timeout ?? TimeSpan.FromSeconds(120));

    public IReadOnlyList<(InstanceReport Report, DateTime At)> EventsOf(InstanceKey key) => Node.EventsOf(key);

    public Task ReplaceRuntimeAsync() => Node.ReplaceRuntimeAsync();

    /// <summary>The QEMU process of a running instance: the wrapper's child.</summary>
    public static int QemuOf(InstanceReport report) => Procs.ChildrenOf(report.Pid!.Value).ShouldHaveSingleItem();

    /// <summary>Every QEMU process on the machine whose command line names this instance (<c>-name canopy-&lt;key&gt;</c>).</summary>
    public static IReadOnlyList<int> QemuProcessesOf(InstanceKey key) =>
        Directory.EnumerateDirectories("/proc")
            .Select(dir => int.TryParse(Path.GetFileName(dir), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && IsQemuOf(pid, key))
            .ToList();

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        foreach (var qemu in _keys.Keys.SelectMany(QemuProcessesOf))
        {
            LibC.Kill(qemu, LibC.SigKill);
        }

        _artifacts?.Dispose();
        await Files.DisposeAsync();
    }

    private static bool IsQemuOf(int pid, InstanceKey key)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains(VmGuest.Qemu, StringComparison.Ordinal) && cmdline.Contains($"canopy-{key}\0", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
