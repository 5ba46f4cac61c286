using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.NetManager;
using Canopy.NodeEngine.Network;
using Canopy.NodeEngine.Runtimes.Artifacts;
using Canopy.NodeEngine.Runtimes.Container;
using Canopy.NodeEngine.Runtimes.Exec;
using Canopy.NodeEngine.Runtimes.Vm;
using Canopy.NodeEngine.Runtimes.Wasm;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.NodeEngine.Runtimes;

/// <summary>
/// The one place runtimes are registered. Each is an <see cref="IRuntime"/> singleton known by its
/// <see cref="IRuntime.Name"/>; the node reports those that are available.
/// </summary>
public static class RuntimeCatalog
{
    public static void AddRuntimes(IServiceCollection services)
    {
        // Both runtimes write their instances' hosts files; the net manager rewrites them with each table.
        services.AddSingleton<InstanceHosts>();
        services.AddSingleton<IRuntime, ExecRuntime>();

        // The files the wasm and vm runtimes run, fetched once per digest and shared by their instances.
        services.AddSingleton<ArtifactCache>();
        services.AddSingleton<IRuntime, WasmRuntime>();

        // QEMU guests (Oakestra's unikernel runtime), one process per instance like exec.
        services.AddSingleton<IRuntime, VmRuntime>();

        // containerd through CRI: Canopy's own containerd, the operator's (--containerd-socket), or none (exec only).
        services.AddSingleton<NodeSubnet>();
        services.AddSingleton<HostNetwork>();
        services.AddSingleton<ContainerdSupervisor>();
        services.AddSingleton<IRuntime, ContainerRuntime>();
    }
}
