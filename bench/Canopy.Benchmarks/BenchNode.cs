using System.Collections.Concurrent;
using Canopy.Contracts;
using Canopy.Cri;
using Canopy.NodeEngine;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.Runtimes;
using Canopy.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Canopy.Benchmarks;

/// <summary>
/// A node engine's runtimes in this process, registered as the node engine registers them (<see cref="RuntimeCatalog"/>),
/// over a throw-away data dir and a cgroup parent of their own (<see cref="Device"/>), without the cluster link: the
/// figures are about the runtimes. Disposing removes every instance, stops its containerd and cleans the machine.
/// </summary>
internal sealed class BenchNode : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly ConcurrentDictionary<InstanceKey, IRuntime> _deployed = new();

    private BenchNode(NodeEngineOptions options, ServiceProvider services, DeviceCgroup device)
    {
        Options = options;
        _services = services;
        Device = device;
        Runtimes = services.GetServices<IRuntime>().ToArray();
        foreach (var runtime in Runtimes)
        {
            runtime.StatusChanged += report => Reports.Enqueue(report);
        }
    }

    public NodeEngineOptions Options { get; }
    public IReadOnlyList<IRuntime> Runtimes { get; }

    /// <summary>The parent cgroup of every instance, capped like a small device's memory.</summary>
    public DeviceCgroup Device { get; }

    /// <summary>Every report any runtime raised: an instance DEAD or FAILED behind our back shows here.</summary>
    public ConcurrentQueue<InstanceReport> Reports { get; } = new();

    public string DataDir => Options.DataDir;

    public static async Task<BenchNode> StartAsync(int deviceMb)
    {
        var dataDir = Directory.CreateTempSubdirectory("cnp-bench-rt-").FullName;
        var options = new NodeEngineOptions
        {
            DataDir = dataDir,
            Name = "bench-node",
            CgroupName = $"canopy-bench-{Environment.ProcessId}",
            StopGracePeriod = TimeSpan.FromSeconds(2),
            // A /20 (4,094 pod addresses), not the /26 a cluster hands a node (61 pods, a limit of its own): the density
            // figure is about memory.
            Subnet = NodeSubnets.Free(prefix: 20),
        };
        var device = DeviceCgroup.Create(CgroupLayout.Detect(), options.CgroupName, deviceMb);
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error));
        services.AddSingleton(options);
        services.AddSingleton<NodeFacts>();
        services.AddSingleton(_ => CgroupLayout.Detect());
        RuntimeCatalog.AddRuntimes(services);
        var node = new BenchNode(options, services.BuildServiceProvider(), device);

        // As the node engine's worker does at start; then the runtimes that start a daemon (containerd) get a minute.
        foreach (var runtime in node.Runtimes)
        {
            await runtime.RecoverAsync(CancellationToken.None);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (node.Runtimes.Any(r => !r.IsAvailable) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        return node;
    }

    public IRuntime? Find(string name) => Runtimes.FirstOrDefault(r => r.Name == name);

    public async Task<InstanceReport> DeployAsync(IRuntime runtime, ServiceSpec spec, CancellationToken ct)
    {
        var key = new InstanceKey(spec.ServiceId, 0);
        _deployed[key] = runtime;
        return await runtime.DeployAsync(spec, 0, ct);
    }

    public async Task RemoveAsync(InstanceKey key)
    {
        if (_deployed.TryRemove(key, out var runtime))
        {
            await runtime.RemoveAsync(key, CancellationToken.None);
        }
    }

    /// <summary>Removes every instance deployed so far, a few at a time.</summary>
    public async Task RemoveAllAsync() =>
        await Parallel.ForEachAsync(_deployed.Keys.ToArray(), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, _) => await RemoveAsync(key));

    /// <summary>The node's containerd socket, when the container runtime runs one.</summary>
    public string? ContainerdSocket => _services.GetService<ContainerdSupervisor>()?.SocketPath;

    public CriClient Cri() => new(ContainerdSocket ?? throw new InvalidOperationException("no containerd on this node"));

    public int? ContainerdPid => ContainerdProcess.FindRunning(new ContainerdPaths(Options.ContainerdDir));

    public async ValueTask DisposeAsync()
    {
        await RemoveAllAsync();

        // The provider disposes the runtimes (they stop watching) and then containerd's supervisor (it stops restarting
        // it); only then is containerd stopped, and whatever is left under the data dir goes.
        var containerd = ContainerdPid;
        await _services.DisposeAsync();
        if (containerd is { } pid)
        {
            await ContainerdProcess.StopAsync(pid, TimeSpan.FromSeconds(5), CancellationToken.None);
        }

        MachineCleanup.ForDataDir(DataDir);
        Device.Dispose();
    }
}
