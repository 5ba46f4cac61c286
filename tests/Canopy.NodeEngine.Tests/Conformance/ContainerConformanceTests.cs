using Canopy.Contracts;
using Canopy.Cri.V1;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Linux;
using Canopy.NodeEngine.Runtimes;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Conformance;

[Collection(ContainerdCollection.Name)]
public sealed class ContainerConformanceTests(ContainerdFixture containerd) : RuntimeConformanceTests(new ContainerUnderTest(containerd));

/// <summary>The container runtime on the shared containerd (<see cref="ContainerdFixture"/>); the workloads run the test registry's busybox image.</summary>
public sealed class ContainerUnderTest(ContainerdFixture node) : IRuntimeUnderTest
{
    public IRuntime Runtime => node.Runtime;

    public string PagePath => "/";

    public string PageText => ContainerdFixture.Page;

    public string RecentLog => node.Logs.Tail(15);

    public IReadOnlyList<(InstanceReport Report, DateTime At)> EventsOf(InstanceKey key) => node.EventsOf(key);

    public Task<InstanceReport> DeployAsync(ServiceSpec spec, int instance = 0) => node.DeployAsync(spec, instance);

    public Task ReplaceRuntimeAsync() => node.ReplaceRuntimeAsync();

    /// <summary>The image's own command: busybox httpd on 8080, published on the host port.</summary>
    public ServiceSpec Serving(string serviceId, int port) => ContainerdFixture.Spec(serviceId, $"{port}:8080");

    public ServiceSpec Printing(string serviceId, string word) => ContainerdFixture.Spec(serviceId, null, "sh", "-c", $"echo {word}; exec sleep 300");

    public ServiceSpec Exiting(string serviceId, int exitCode) => ContainerdFixture.Spec(serviceId, null, "sh", "-c", $"exit {exitCode}");

    public ServiceSpec Idle(string serviceId) => ContainerdFixture.Spec(serviceId, null, "sleep", "300");

    public (ServiceSpec Spec, string Reason) Invalid(string serviceId) =>
        (ContainerdFixture.Spec(serviceId) with { Code = "canopy/busybox::1" }, "does not parse");

    /// <summary>Every process of the running container (from its cgroup), as an OOM kill or a crash would end them.</summary>
    public async Task KillWorkloadAsync(InstanceKey key)
    {
        var container = (await node.ContainersOf(key)).Single(c => c.State == ContainerState.ContainerRunning);
        var pids = ContainerdFixture.ProcessesOf(container.Id);
        pids.ShouldNotBeEmpty($"processes of container {container.Id}");
        foreach (var pid in pids)
        {
            LibC.Kill(pid, LibC.SigKill);
        }
    }

    public async Task<IReadOnlyList<string>> RunningCopiesAsync(InstanceKey key) =>
        (await node.ContainersOf(key)).Where(c => c.State == ContainerState.ContainerRunning).Select(c => $"container {c.Id}").ToArray();

    public async Task<IReadOnlyList<string>> LeftOnNodeAsync(InstanceKey key) =>
        (await node.ContainersOf(key)).Select(c => $"container {c.Id} ({c.State})")
            .Concat((await node.SandboxesOf(key)).Select(s => $"sandbox {s.Id} ({s.State})"))
            .ToArray();

    public string InstanceDir(InstanceKey key) => node.InstanceDir(key);

    public async ValueTask DisposeAsync() => await node.RemoveDeployedAsync();
}
