using Canopy.Contracts;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes;

namespace Canopy.NodeEngine.Tests.Conformance;

/// <summary>
/// One runtime as <see cref="RuntimeConformanceTests"/> drives it: the runtime itself, the few workloads every runtime
/// must be able to run, and how to look at the node from outside (what runs, what is left). Each runtime has a small
/// class implementing it; disposing it removes what the test deployed.
/// </summary>
public interface IRuntimeUnderTest : IAsyncDisposable
{
    /// <summary>The runtime now (a new object after <see cref="ReplaceRuntimeAsync"/>).</summary>
    IRuntime Runtime { get; }

    /// <summary>Every report the runtime raised for <paramref name="key"/>, in order, with when it was raised.</summary>
    IReadOnlyList<(InstanceReport Report, DateTime At)> EventsOf(InstanceKey key);

    /// <summary>Deploys through <see cref="Runtime"/> and remembers the instance for the clean-up.</summary>
    Task<InstanceReport> DeployAsync(ServiceSpec spec, int instance = 0);

    /// <summary>A node engine restart: disposes the runtime without stopping its instances, opens a new one over the same data and recovers.</summary>
    Task ReplaceRuntimeAsync();

    /// <summary>Serves a page containing <see cref="PageText"/> at <see cref="PagePath"/> on host port <paramref name="port"/> (the SLA's port) until stopped.</summary>
    ServiceSpec Serving(string serviceId, int port);

    string PagePath { get; }

    string PageText { get; }

    /// <summary>Writes a line containing <paramref name="word"/> (letters and digits) to its output, then runs until stopped.</summary>
    ServiceSpec Printing(string serviceId, string word);

    /// <summary>Exits by itself with <paramref name="exitCode"/> soon after it started.</summary>
    ServiceSpec Exiting(string serviceId, int exitCode);

    /// <summary>Runs until stopped, doing nothing.</summary>
    ServiceSpec Idle(string serviceId);

    /// <summary>A service whose code (or command) this runtime cannot run, and a part of the reason it must give.</summary>
    (ServiceSpec Spec, string Reason) Invalid(string serviceId);

    /// <summary>Kills the workload from outside with SIGKILL, as a crash would (not through the runtime).</summary>
    Task KillWorkloadAsync(InstanceKey key);

    /// <summary>One entry per copy of the instance's workload running on the node now (a process group, a container, a VM).</summary>
    Task<IReadOnlyList<string>> RunningCopiesAsync(InstanceKey key);

    /// <summary>What the instance still runs or holds on the node besides its directory (processes, cgroups, containers, sandboxes, address leases), in words; empty when nothing.</summary>
    Task<IReadOnlyList<string>> LeftOnNodeAsync(InstanceKey key);

    /// <summary>The instance's directory under the runtime's instances directory.</summary>
    string InstanceDir(InstanceKey key);

    /// <summary>The runtime's recent log lines, shown when a wait times out.</summary>
    string RecentLog => "";
}
