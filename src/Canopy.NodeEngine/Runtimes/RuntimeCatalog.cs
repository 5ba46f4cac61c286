using Canopy.NodeEngine.Runtimes.Exec;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.NodeEngine.Runtimes;

/// <summary>
/// The one place runtimes are registered. Each is an <see cref="IRuntime"/> singleton known by its
/// <see cref="IRuntime.Name"/>; the node reports those that are available. <c>container</c> (containerd via CRI) goes here next.
/// </summary>
public static class RuntimeCatalog
{
    public static void AddRuntimes(IServiceCollection services)
    {
        services.AddSingleton<IRuntime, ExecRuntime>();
    }
}
