using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// `canopy node --simulate 20`: twenty simulated node engines join a real cluster through the real path (join token with the
/// cluster's pin, own broker credentials, MQTT over TLS), take a deployment to RUNNING, and a killed one's instance comes back on another.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class NodeSimulatorTests : IAsyncLifetime
{
    private const int Simulated = 20;
    private readonly CanopyProcess _canopy = new();
    private NodeProcess _simulator = null!;

    public async Task InitializeAsync()
    {
        // The embedded node runs exec only: a container service can only go to a simulated node.
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
    public async Task Simulated_nodes_join_run_a_deployment_and_a_killed_ones_instance_moves_to_another()
    {
        await Wait.ForAsync(NodesAsync, nodes => nodes.Count(n => n.Active && n.Name.StartsWith("sim-", StringComparison.Ordinal)) == Simulated,
            TimeSpan.FromSeconds(60), $"{Simulated} simulated nodes active\n{_simulator.Output}");

        var deploy = await _canopy.CliAsync("app", "deploy", Slas.Write(_canopy.DataDir, "simulated.json", SimulatedContainer));
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        using var api = await _canopy.ApiAsync();
        var first = await RunningInstanceAsync(api, except: null);
        first.NodeName.ShouldNotBeNull().ShouldStartWith("sim-");

        await _simulator.SendAsync($"kill {first.NodeName["sim-".Length..]}");

        var moved = await RunningInstanceAsync(api, except: first.NodeName);
        moved.NodeName.ShouldNotBeNull().ShouldStartWith("sim-");
        (await NodesAsync()).Single(n => n.Name == first.NodeName).Active.ShouldBeFalse();
    }

    private async Task<List<NodeDocument>> NodesAsync() =>
        CanopyJson.Deserialize<List<NodeDocument>>((await _canopy.CliAsync("nodes", "-o", "json")).StdOut)!;

    private static async Task<InstanceDocument> RunningInstanceAsync(HttpClient api, string? except)
    {
        var service = await Wait.ForAsync(() => api.ServiceByNameAsync("simulated"),
            s => s.InstanceList is [{ Status: InstanceStatus.Running } instance] && instance.NodeName != except, TimeSpan.FromSeconds(30),
            except is null ? "the instance RUNNING on a simulated node" : $"the instance RUNNING on a node other than {except}");
        return service.InstanceList[0];
    }

    /// <summary>A container service: the simulated runtime answers to "container" and starts nothing.</summary>
    private const string SimulatedContainer = """
    {
      "sla_version": "v2.0",
      "customerID": "Admin",
      "applications": [{
        "application_name": "simulated",
        "application_namespace": "e2e",
        "microservices": [{
          "microservice_name": "web",
          "microservice_namespace": "e2e",
          "virtualization": "container",
          "code": "docker.io/library/nginx:latest",
          "memory": 64,
          "vcpus": 0.5
        }]
      }]
    }
    """;
}
