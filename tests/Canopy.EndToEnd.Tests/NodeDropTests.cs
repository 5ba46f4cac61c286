using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// Section 2's failure at scale, small: 50 simulated nodes (`canopy node --simulate 50`) hold 40 instances of one service; 10 of
/// the nodes drop at once (connections cut, as a crash would). Every instance is RUNNING again on a node still alive, none lost and
/// none doubled. The time it takes is a benchmark figure (`scripts/bench.sh scale --drop`), not asserted here.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class NodeDropTests : IAsyncLifetime
{
    private const int Simulated = 50;
    private const int Dropped = 10;
    private const int Instances = 40;
    private readonly CanopyProcess _canopy = new();
    private NodeProcess _simulator = null!;

    public async Task InitializeAsync()
    {
        // The embedded node runs exec only: the container service can only go to simulated nodes.
        await _canopy.StartAsync(extraArgs: ["--no-containers"]);
        (await _canopy.CliAsync("login", "-p", CanopyProcess.AdminPassword)).ExitCode.ShouldBe(0);
        _simulator = new NodeProcess(_canopy, "sim");
        _simulator.Start("--simulate", Simulated.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        await _canopy.DisposeAsync();
    }

    [Fact]
    public async Task Ten_of_fifty_nodes_drop_at_once_and_every_instance_runs_elsewhere_once()
    {
        await Wait.ForAsync(NodesAsync, nodes => nodes.Count(n => n.Active && n.Name.StartsWith("sim-", StringComparison.Ordinal)) == Simulated,
            TimeSpan.FromSeconds(120), $"{Simulated} simulated nodes active\n{_simulator.Output}");
        var deploy = await _canopy.CliAsync("app", "deploy", Slas.Write(_canopy.DataDir, "dropped.json", SimulatedContainer));
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        var scale = await _canopy.CliAsync("service", "scale", "dropped.web", Instances.ToString(System.Globalization.CultureInfo.InvariantCulture));
        scale.ExitCode.ShouldBe(0, scale.ToString());
        using var api = await _canopy.ApiAsync();
        await Wait.ForAsync(() => api.ServiceByNameAsync("dropped"), s => AllRunning(s, new HashSet<string>()), TimeSpan.FromSeconds(60), $"{Instances} instances RUNNING");

        var dropped = Enumerable.Range(1, Dropped).Select(i => $"sim-{i}").ToHashSet(StringComparer.Ordinal);
        await _simulator.SendAsync($"kill 1-{Dropped}");

        var after = await Wait.ForAsync(() => api.ServiceByNameAsync("dropped"), s => AllRunning(s, dropped), TimeSpan.FromSeconds(60),
            $"all {Instances} instances RUNNING on nodes other than sim-1..sim-{Dropped}");
        after.InstanceList.Select(i => i.InstanceNumber).Distinct().Count().ShouldBe(Instances, "each instance number once: none doubled");
        var nodes = await NodesAsync();
        nodes.Where(n => dropped.Contains(n.Name)).ShouldAllBe(n => !n.Active);
    }

    /// <summary>Exactly <see cref="Instances"/> instances, every one RUNNING, none on <paramref name="dropped"/> nodes.</summary>
    private static bool AllRunning(ServiceDocument service, IReadOnlySet<string> dropped) =>
        service.InstanceList.Count == Instances &&
        service.InstanceList.All(i => i.Status == InstanceStatus.Running && i.NodeName is { } node && !dropped.Contains(node));

    private async Task<List<NodeDocument>> NodesAsync() =>
        CanopyJson.Deserialize<List<NodeDocument>>((await _canopy.CliAsync("nodes", "-o", "json")).StdOut)!;

    /// <summary>A container service: the simulated runtime answers to "container" and starts nothing.</summary>
    private const string SimulatedContainer = """
    {
      "sla_version": "v2.0",
      "customerID": "Admin",
      "applications": [{
        "application_name": "dropped",
        "application_namespace": "e2e",
        "microservices": [{
          "microservice_name": "web",
          "microservice_namespace": "e2e",
          "virtualization": "container",
          "code": "docker.io/library/nginx:latest",
          "memory": 16,
          "vcpus": 0.1
        }]
      }]
    }
    """;
}
