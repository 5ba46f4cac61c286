using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;

namespace Canopy.Dashboard.Tests;

/// <summary>The few API reads the tests check the dashboard's work with.</summary>
internal static class FleetApi
{
    public static async Task<List<ApplicationDocument>> ApplicationsAsync(this HttpClient api) =>
        (await api.GetFromJsonAsync<List<ApplicationDocument>>("api/applications/", CanopyJson.Options))!;

    public static async Task<ServiceDocument> ServiceAsync(this HttpClient api, string id) =>
        (await api.GetFromJsonAsync<ServiceDocument>($"api/service/{id}", CanopyJson.Options))!;

    /// <summary>The one service of application <paramref name="name"/>.</summary>
    public static async Task<ServiceDocument> ServiceOfAsync(this HttpClient api, string name) =>
        await api.ServiceAsync((await api.ApplicationsAsync()).Single(a => a.ApplicationName == name).Microservices.Single());

    /// <summary>Instance events of a service after event <paramref name="after"/>, oldest first (<c>GET /api/v1/events</c>).</summary>
    public static async Task<List<EventDocument>> InstanceEventsAsync(this HttpClient api, string serviceId, long after = 0) =>
        (await api.GetFromJsonAsync<List<EventDocument>>($"api/v1/events?service={serviceId}&kind={EventKinds.Instance}&after={after}&limit=1000", CanopyJson.Options))!;

    /// <summary>The fleet's nodes as the dashboard's overview reads them (<c>GET /api/v1/nodes</c>).</summary>
    public static async Task<List<NodeDocument>> NodesAsync(this HttpClient api) =>
        (await api.GetFromJsonAsync<List<NodeDocument>>("api/v1/nodes", CanopyJson.Options))!;
}
