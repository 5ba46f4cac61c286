using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;
using Canopy.Testing.ClusterSimulation;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// Five simulated clusters (<see cref="ClusterSimulator"/>) join a real `canopy root` over the real link (join token with the
/// root CA's pin, registration with their own secrets, `wss://` with their own credentials), and a service deployed through the
/// API runs on one of them.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ClusterSimulatorTests : IAsyncLifetime
{
    private const int Simulated = 5;
    private readonly RootProcess _root = new();
    private ClusterSimulator _simulator = null!;

    public async Task InitializeAsync()
    {
        await _root.StartAsync();
        _simulator = new ClusterSimulator(new ClusterSimulatorOptions(_root.RootUrl, _root.ClusterJoinToken, "e2e-sim"), Simulated);
    }

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        await _root.DisposeAsync();
    }

    [Fact]
    public async Task Simulated_clusters_join_a_real_root_and_a_deployed_service_runs_on_one_of_them()
    {
        await _simulator.StartAsync(TimeSpan.FromSeconds(60));
        using var api = await _root.ApiAsync();
        var active = (await Wait.ForAsync(() => api.GetFromJsonAsync<List<ClusterDocument>>("api/clusters/active", CanopyJson.Options)!,
            l => l!.Count == Simulated, TimeSpan.FromSeconds(30), $"{Simulated} simulated clusters active\n{_root.Output}"))!;
        active.Select(c => c.ClusterName).Order().ShouldBe(_simulator.Clusters.Select(c => c.Name).Order());
        active.ShouldAllBe(c => c.ActiveNodes == 10 && c.TotalCpuCores == 40);

        var created = await api.PostAsync("api/application/", new StringContent(Sla, System.Text.Encoding.UTF8, "application/json"));
        created.EnsureSuccessStatusCode();
        var app = (await created.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single(a => a.ApplicationName == "simulated");
        var serviceId = app.Microservices.Single();
        (await api.PostAsync($"api/service/{serviceId}/instance", null)).EnsureSuccessStatusCode();

        var service = await Wait.ForAsync(() => api.GetFromJsonAsync<ServiceDocument>($"api/service/{serviceId}", CanopyJson.Options)!,
            s => s!.InstanceList is [{ Status: InstanceStatus.Running }], TimeSpan.FromSeconds(30), $"the instance RUNNING\n{_root.Output}");
        var instance = service!.InstanceList[0];
        var cluster = _simulator.Clusters.Single(c => c.Id == instance.ClusterId);
        instance.ClusterName.ShouldBe(cluster.Name);
        instance.NodeName.ShouldNotBeNull().ShouldStartWith($"{cluster.Name}-node-");
        cluster.Instances.ShouldBe(1);
    }

    private const string Sla = """
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
