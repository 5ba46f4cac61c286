using System.Collections.Concurrent;
using System.Globalization;
using Canopy.Contracts;
using Canopy.Core.States;
using Canopy.Cri;
using Canopy.Cri.V1;
using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.NetManager;
using Canopy.NodeEngine.Network;
using Canopy.NodeEngine.Runtimes.Container;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Tests.Support;

[CollectionDefinition(Name)]
public sealed class ContainerdCollection : ICollectionFixture<ContainerdFixture>
{
    public const string Name = "containerd";
}

/// <summary>
/// The node engine's own containerd, started by the container runtime itself over a temporary data dir (config,
/// CNI, pause image: the real code path), shared by the container tests, with the local test registry
/// (scripts/test-registry.sh). Disposing always cleans up: Canopy-labelled pods, containerd and its shims (by pid
/// and by the data dir in their command line), mounts under the data dir, the CNI bridge, the data dir.
/// </summary>
public sealed class ContainerdFixture : IAsyncLifetime
{
    private InstanceHosts? _hosts;
    public const string Registry = "127.0.0.1:5000";
    public const string Image = Registry + "/canopy/busybox:1";
    public const string Page = "hello from canopy/busybox";

    private readonly ConcurrentDictionary<InstanceKey, byte> _keys = new();
    private readonly ILoggerFactory _loggers;
    private CriClient? _cri;

    public ContainerdFixture()
    {
        _loggers = LoggerFactory.Create(b => b.AddProvider(Logs));
    }

    public ListLogger Logs { get; } = new();
    public string DataDir { get; private set; } = "";
    public NodeEngineOptions Options { get; private set; } = null!;
    public ContainerdSupervisor Supervisor { get; private set; } = null!;
    public NodeSubnet Subnet { get; private set; } = null!;

    /// <summary>The instances' hosts files, as the net manager updates them with each table.</summary>
    internal InstanceHosts Hosts => _hosts ??= new InstanceHosts(Options);
    internal ContainerRuntime Runtime { get; private set; } = null!;
    public CriClient Cri => _cri ?? throw new InvalidOperationException("the fixture did not start");
    public string NodeLabel => NodeKey.Of(DataDir);
    public string Bridge => NodeKey.BridgeName(DataDir);

    /// <summary>From creating the runtime until it reported itself available (containerd started, pause image imported, CNI loaded).</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Every report raised, in order, with when it was raised.</summary>
    public ConcurrentQueue<(InstanceReport Report, DateTime At)> Events { get; } = new();

    public async Task InitializeAsync()
    {
        ContainerPrerequisites.Check();
        await Canopy.Testing.TestImageRegistry.UpAsync();
        DataDir = Directory.CreateTempSubdirectory("cnp-ne-").FullName;
        try
        {
            Options = new NodeEngineOptions
            {
                DataDir = DataDir,
                Name = "container-test-node",
                StopGracePeriod = TimeSpan.FromSeconds(2),
                Subnet = FreeSubnet(),
            };
            Supervisor = new ContainerdSupervisor(Options, _loggers.CreateLogger<ContainerdSupervisor>());
            Subnet = new NodeSubnet(Options);
            var started = DateTime.UtcNow;
            Runtime = NewRuntime();
            await WaitAvailableAsync();
            StartupTime = DateTime.UtcNow - started;
            _cri = new CriClient(Supervisor.SocketPath!);
        }
        catch (Exception e)
        {
            var detail = $"{e.Message}\n--- runtime log:\n{Logs.Tail()}\n--- containerd.log:\n{ContainerdProcess.LogTail(Supervisor?.Paths.Log ?? "", 20)}";
            await DisposeAsync();
            throw new InvalidOperationException("the containerd fixture did not start: " + detail, e);
        }
    }

    public static string NewServiceId() => Guid.NewGuid().ToString("N")[..24];

    public static ServiceSpec Spec(string serviceId, string? port = null, params string[] cmd) => new()
    {
        ServiceId = serviceId,
        JobName = $"app.test.svc{serviceId[..6]}.test",
        ServiceName = $"svc{serviceId[..6]}",
        Virtualization = "container",
        Code = Image,
        Cmd = cmd,
        Port = port,
        Memory = 64,
        Vcpus = 0.5,
        RestartPolicy = RestartPolicy.Always,
    };

    public async Task<InstanceReport> DeployAsync(ServiceSpec spec, int instance = 0)
    {
        _keys[new InstanceKey(spec.ServiceId, instance)] = 0;
        return await Runtime.DeployAsync(spec, instance, CancellationToken.None);
    }

    public string InstanceDir(InstanceKey key) => Path.Combine(Options.ContainersDir, key.ToString());

    public Task<InstanceReport> WaitForAsync(InstanceKey key, Func<InstanceReport, bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually.Until(() => Runtime.Find(key), r => r is not null && condition(r), $"{key}: {what}\n--- log:\n{Logs.Tail(15)}", timeout);

    public Task<InstanceReport> WaitForStatusAsync(InstanceKey key, InstanceStatus status, TimeSpan? timeout = null) =>
        WaitForAsync(key, r => r.Status == status, status.ToWireName(), timeout);

    public IReadOnlyList<(InstanceReport Report, DateTime At)> EventsOf(InstanceKey key) =>
        Events.Where(e => e.Report.ServiceId == key.ServiceId && e.Report.InstanceNumber == key.InstanceNumber).ToList();

    public async Task<IReadOnlyList<Cri.V1.Container>> ContainersOf(InstanceKey key) =>
        await Cri.ListContainersAsync(ContainerLabels.InstanceSelector(NodeLabel, key), CancellationToken.None);

    public async Task<IReadOnlyList<PodSandbox>> SandboxesOf(InstanceKey key) =>
        await Cri.ListPodSandboxAsync(ContainerLabels.InstanceSelector(NodeLabel, key), CancellationToken.None);

    /// <summary>The processes of a container, from its cgroup (<c>/canopy/&lt;container id&gt;</c>).</summary>
    public static int[] ProcessesOf(string containerId)
    {
        var procs = $"/sys/fs/cgroup/memory/canopy/{containerId}/cgroup.procs";
        return File.Exists(procs)
            ? File.ReadAllLines(procs).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray()
            : [];
    }

    /// <summary>Disposes the runtime without stopping its containers and opens a new one over the same data dir.</summary>
    public async Task ReplaceRuntimeAsync()
    {
        await Runtime.DisposeAsync();
        Runtime = NewRuntime();
        await Runtime.RecoverAsync(CancellationToken.None);
        await WaitAvailableAsync();
    }

    /// <summary>Removes what the current test deployed; each test class calls it when it ends.</summary>
    public async Task RemoveDeployedAsync()
    {
        foreach (var key in _keys.Keys)
        {
            try
            {
                await Runtime.RemoveAsync(key, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception)
            {
                // The fixture's own cleanup removes whatever is left.
            }

            _keys.TryRemove(key, out _);
        }
    }

    public async Task DisposeAsync()
    {
        if (Runtime is not null)
        {
            await Quietly(RemoveDeployedAsync);
            await Quietly(async () => await Runtime.DisposeAsync());
        }

        if (_cri is not null)
        {
            await Quietly(RemoveLabelledAsync);
            _cri.Dispose();
        }

        if (DataDir.Length == 0)
        {
            return;
        }

        var paths = new ContainerdPaths(Options?.ContainerdDir ?? Path.Combine(DataDir, "containerd"));
        if (ContainerdProcess.FindRunning(paths) is { } pid)
        {
            await Quietly(() => ContainerdProcess.StopAsync(pid, TimeSpan.FromSeconds(5), CancellationToken.None));
        }

        if (Supervisor is not null)
        {
            await Supervisor.DisposeAsync();
        }

        // Shims outlive containerd (their command line names its socket, under the data dir); the bridge and its record go too.
        Quietly(() => Canopy.Testing.MachineCleanup.ForDataDir(DataDir));
        _loggers.Dispose();
    }

    private ContainerRuntime NewRuntime()
    {
        var runtime = new ContainerRuntime(
            Options, Supervisor, Subnet, new HostNetwork(Options, Subnet), Hosts, _loggers.CreateLogger<ContainerRuntime>());
        runtime.StatusChanged += report => Events.Enqueue((report, DateTime.UtcNow));
        return runtime;
    }

    private async Task WaitAvailableAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!Runtime.IsAvailable)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the container runtime did not become available: {Runtime.UnavailableReason}");
            }

            await Task.Delay(50);
        }
    }

    private async Task RemoveLabelledAsync()
    {
        var selector = ContainerLabels.NodeSelector(NodeLabel);
        foreach (var container in await Cri.ListContainersAsync(selector, CancellationToken.None))
        {
            await Quietly(() => Cri.RemoveContainerAsync(container.Id, CancellationToken.None));
        }

        foreach (var sandbox in await Cri.ListPodSandboxAsync(selector, CancellationToken.None))
        {
            await Quietly(async () =>
            {
                await Cri.StopPodSandboxAsync(sandbox.Id, CancellationToken.None);
                await Cri.RemovePodSandboxAsync(sandbox.Id, CancellationToken.None);
            });
        }
    }

    /// <summary>A node subnet no route on this host covers (<see cref="Canopy.Testing.NodeSubnets.Free"/>).</summary>
    public static string FreeSubnet(params string?[] avoid) => Canopy.Testing.NodeSubnets.Free(26, avoid);

    private static async Task Quietly(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"containerd fixture cleanup: {e.Message}");
        }
    }

    private static void Quietly(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"containerd fixture cleanup: {e.Message}");
        }
    }
}
