using System.Diagnostics;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>
/// The work on a cluster of simulated nodes (issue 11 sections 2 and 3): one service of simulated containers scaled from 0 to
/// <c>instances</c> through the root's API (time until all RUNNING at the root), then a tenth of the nodes cut at once (time until
/// every instance is RUNNING on a node still alive, none lost or doubled).
/// </summary>
internal static class ScaleWorkload
{
    public static async Task<(TimeSpan Scaled, TimeSpan Moved, int Moving)> RunAsync(SeparateTiers tiers, int nodes, int instances)
    {
        using var api = await tiers.RootApiAsync();
        var created = await api.PostAsync("api/application/", new StringContent(Sla(), System.Text.Encoding.UTF8, "application/json"));
        created.EnsureSuccessStatusCode();
        var serviceId = (await created.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single().Microservices.Single();

        var clock = Stopwatch.StartNew();
        (await api.PutAsJsonAsync($"api/v1/services/{serviceId}/scale", new ScaleRequest(instances), CanopyJson.Options)).EnsureSuccessStatusCode();
        var running = await WaitAsync(api, serviceId, s => AllRunning(s, instances, new HashSet<string>()), $"{instances} instances RUNNING");
        var scaled = clock.Elapsed;

        // The nodes are sim-1..sim-N; the first tenth drops.
        var drop = nodes / 10;
        var dropped = Enumerable.Range(1, drop).Select(i => $"sim-{i}").ToHashSet(StringComparer.Ordinal);
        var moving = running.InstanceList.Count(i => i.NodeName is { } n && dropped.Contains(n));
        clock.Restart();
        await tiers.SendToNodesAsync($"kill 1-{drop}");
        var after = await WaitAsync(api, serviceId, s => AllRunning(s, instances, dropped), $"{instances} instances RUNNING off the {drop} dropped nodes");
        var moved = clock.Elapsed;
        if (after.InstanceList.Select(i => i.InstanceNumber).Distinct().Count() != instances)
        {
            throw new InvalidOperationException("after the drop, an instance number is there twice");
        }

        return (scaled, moved, moving);
    }

    private static bool AllRunning(ServiceDocument service, int instances, IReadOnlySet<string> dropped) =>
        service.InstanceList.Count == instances &&
        service.InstanceList.All(i => i.Status == InstanceStatus.Running && i.NodeName is { } node && !dropped.Contains(node));

    private static Task<ServiceDocument> WaitAsync(HttpClient api, string serviceId, Func<ServiceDocument, bool> done, string what) =>
        Wait.ForAsync(async () => (await api.GetFromJsonAsync<ServiceDocument>($"api/service/{serviceId}", CanopyJson.Options))!,
            done, TimeSpan.FromMinutes(3), what, poll: TimeSpan.FromMilliseconds(500));

    /// <summary>A container service: the simulated runtime answers to "container" and starts nothing.</summary>
    private static string Sla() => """
    {"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"scale","application_namespace":"bench",
     "microservices":[{"microservice_name":"web","microservice_namespace":"bench","virtualization":"container",
      "code":"docker.io/library/nginx:latest","memory":16,"vcpus":0.1}]}]}
    """;
}
