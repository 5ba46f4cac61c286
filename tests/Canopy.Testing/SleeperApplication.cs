using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;

namespace Canopy.Testing;

/// <summary>An application of one small exec service that sleeps: something cheap to deploy when placement is what is looked at.</summary>
public static class SleeperApplication
{
    /// <summary>Creates the application <paramref name="app"/> (no instance yet) through the API; returns its service's id.</summary>
    public static async Task<string> CreateAsync(HttpClient api, string app, string @namespace)
    {
        var sla = $$"""
        {"sla_version": "v2.0", "customerID": "Admin", "applications": [{"application_name": "{{app}}", "application_namespace": "{{@namespace}}",
          "microservices": [{"microservice_name": "svc", "microservice_namespace": "{{@namespace}}", "virtualization": "exec",
            "cmd": ["sh", "-c", "exec sleep 3600"], "memory": 16, "vcpus": 0.05}]}]}
        """;
        using var response = await api.PostAsync("api/application", new StringContent(sla, System.Text.Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        var apps = await api.GetFromJsonAsync<List<ApplicationDocument>>("api/applications/", CanopyJson.Options);
        return apps!.Single(a => a.ApplicationName == app).Microservices.Single();
    }
}
