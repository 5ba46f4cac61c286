using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests.Topology;

/// <summary>Services the topology tests deploy and wait for, through the CLI and the root's API.</summary>
internal static class TopologyServices
{
    /// <summary>An exec service <c>APP.topo.svc.topo</c> that sleeps, with the given memory, 0.1 vcpus and an optional constraint (JSON object).</summary>
    public static async Task<string> DeploySleeperAsync(Canopy.Testing.Topology topology, HttpClient api, string app, long memoryMb, string? constraint)
    {
        var constraints = constraint is null ? "" : $",\n          \"constraints\": [{constraint}]";
        var file = Slas.Write(topology.StateDir, $"{app}.json", $$"""
        {
          "sla_version": "v2.0",
          "customerID": "Admin",
          "applications": [{
            "application_name": "{{app}}",
            "application_namespace": "topo",
            "microservices": [{
              "microservice_name": "svc",
              "microservice_namespace": "topo",
              "virtualization": "exec",
              "cmd": ["sh", "-c", "exec sleep 3600"],
              "memory": {{memoryMb}},
              "vcpus": 0.1{{constraints}}
            }]
          }]
        }
        """);
        var deploy = await topology.CliAsync("app", "deploy", file);
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        return (await api.ServiceByNameAsync(app)).MicroserviceId;
    }

    public static async Task ScaleAsync(Canopy.Testing.Topology topology, string app, int instances)
    {
        var scale = await topology.CliAsync("service", "scale", $"{app}.topo.svc.topo", instances.ToString());
        scale.ExitCode.ShouldBe(0, scale.ToString());
    }

    public static async Task<IReadOnlyList<InstanceDocument>> RunningAsync(HttpClient api, string serviceId, int count, TimeSpan? timeout = null)
    {
        var service = await Wait.ForAsync(() => api.ServiceAsync(serviceId),
            s => s.InstanceList.Count == count && s.InstanceList.All(i => i.Status == InstanceStatus.Running), timeout ?? TimeSpan.FromSeconds(30),
            $"{count} instances of {serviceId} running");
        return service.InstanceList;
    }

    public static Task<InstanceDetailDocument> DetailAsync(HttpClient api, string serviceId, int instanceNumber) =>
        api.GetJsonAsync<InstanceDetailDocument>($"api/v1/services/{serviceId}/instances/{instanceNumber}");

    public static string Story(InstanceDetailDocument detail) =>
        string.Join("\n  ", detail.Events.Select(e => $"{e.Time:HH:mm:ss.fff} {e.Status} {e.Cluster}/{e.Node}: {e.Detail}"));
}
