using System.Diagnostics;
using Canopy.Core.States;
using Canopy.Testing;
using Xunit.Abstractions;

namespace Canopy.EndToEnd.Tests.Topology;

/// <summary>The container worker of a cluster host runs a container service (image from the local registry, port published on its address).</summary>
[Collection(EndToEndCollection.Name)]
public sealed class TopologyContainerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ContainerService_RunsOnTheClustersContainerWorker_ServesOnItsAddress()
    {
        ContainerRequirements.Check();
        await using var topology = await Canopy.Testing.Topology.StartAsync(clusters: 1, workers: 2);
        var worker = topology.Clusters[0].Workers[0];
        worker.ForwardLoopback(5000);

        var port = FreePort.Block(1);
        var stopwatch = Stopwatch.StartNew();
        var deploy = await topology.CliAsync("app", "deploy", ContainerSlas.Web(topology.StateDir, "boxed", port), "--watch", "--timeout", "45");
        deploy.ExitCode.ShouldBe(0, deploy + "\n" + worker.LogTail(30));
        using var api = await topology.ApiAsync();
        var service = await Wait.ForAsync(() => api.ServiceByNameAsync("boxed"),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status == InstanceStatus.Running, TimeSpan.FromSeconds(30), "the container running");
        service.InstanceList[0].NodeName.ShouldBe(worker.Name);
        output.WriteLine($"container RUNNING on {worker.Name} after {stopwatch.Elapsed.TotalSeconds:0.00} s");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var page = await Wait.ForAsync(() => http.GetStringAsync($"http://{worker.Ip}:{port}/"), _ => true, TimeSpan.FromSeconds(15),
            $"the container's page on {worker.Ip}:{port}");
        output.WriteLine(page.Trim());
    }
}
