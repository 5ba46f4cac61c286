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
    /// <remarks>CANOPY_BENCH_INSTANCES overrides the count (e.g. 1,000 instances on 200 nodes: the placement path without a long join).</remarks>
    public static async Task<(TimeSpan Scaled, TimeSpan Moved, int Moving)> RunAsync(SeparateTiers tiers, int nodes, int instances)
    {
        instances = int.TryParse(Environment.GetEnvironmentVariable("CANOPY_BENCH_INSTANCES"), out var count) ? count : instances;
        using var api = await tiers.RootApiAsync();
        var created = await api.PostAsync("api/application/", new StringContent(Sla(), System.Text.Encoding.UTF8, "application/json"));
        created.EnsureSuccessStatusCode();
        var serviceId = (await created.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single().Microservices.Single();

        var cpu = CpuTimes(tiers);
        var clock = Stopwatch.StartNew();
        (await api.PutAsJsonAsync($"api/v1/services/{serviceId}/scale", new ScaleRequest(instances), CanopyJson.Options)).EnsureSuccessStatusCode();
        var running = await WaitAsync(api, serviceId, s => AllRunning(s, instances, new HashSet<string>()), $"{instances} instances RUNNING");
        var scaled = clock.Elapsed;
        Console.Error.WriteLine($"  CPU during the scale: {Spent(tiers, cpu, scaled)}");

        // The nodes are sim-1..sim-N; the first tenth drops.
        var drop = nodes / 10;
        var dropped = Enumerable.Range(1, drop).Select(i => $"sim-{i}").ToHashSet(StringComparer.Ordinal);
        var moving = running.InstanceList.Count(i => i.NodeName is { } n && dropped.Contains(n));
        cpu = CpuTimes(tiers);
        clock.Restart();
        await tiers.SendToNodesAsync($"kill 1-{drop}");
        var after = await WaitAsync(api, serviceId, s => AllRunning(s, instances, dropped), $"{instances} instances RUNNING off the {drop} dropped nodes");
        var moved = clock.Elapsed;
        Console.Error.WriteLine($"  CPU during the drop: {Spent(tiers, cpu, moved)}");
        if (after.InstanceList.Select(i => i.InstanceNumber).Distinct().Count() != instances)
        {
            throw new InvalidOperationException("after the drop, an instance number is there twice");
        }

        return (scaled, moved, moving);
    }

    private static Dictionary<string, TimeSpan> CpuTimes(SeparateTiers tiers) => tiers.Pids.ToDictionary(p => p.Key, p => Stats.CpuTime(p.Value));

    /// <summary>Each process's CPU over the step, in % of one core: which tier the step waited for.</summary>
    private static string Spent(SeparateTiers tiers, Dictionary<string, TimeSpan> before, TimeSpan elapsed) =>
        string.Join(", ", CpuTimes(tiers).Select(p => $"{p.Key} {(p.Value - before[p.Key]) / elapsed * 100:0} %"));

    private static bool AllRunning(ServiceDocument service, int instances, IReadOnlySet<string> dropped) =>
        service.InstanceList.Count == instances &&
        service.InstanceList.All(i => i.Status == InstanceStatus.Running && i.NodeName is { } node && !dropped.Contains(node));

    private static Task<ServiceDocument> WaitAsync(HttpClient api, string serviceId, Func<ServiceDocument, bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        return Wait.ForAsync(async () =>
        {
            var service = (await api.GetFromJsonAsync<ServiceDocument>($"api/service/{serviceId}", CanopyJson.Options))!;
            Progress(clock.Elapsed, service);
            return service;
        }, done, TimeSpan.FromMinutes(3), what, poll: TimeSpan.FromMilliseconds(250));
    }

    /// <summary>The instances by status at each poll, on stderr: where a slow step spends its time.</summary>
    private static void Progress(TimeSpan elapsed, ServiceDocument service) =>
        Console.Error.WriteLine($"  {elapsed.TotalSeconds,6:0.00} s: {service.InstanceList.Count} instances; " + string.Join(", ",
            service.InstanceList.GroupBy(i => i.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToWireName()}")));

    /// <summary>A container service: the simulated runtime answers to "container" and starts nothing.</summary>
    private static string Sla() => """
    {"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"scale","application_namespace":"bench",
     "microservices":[{"microservice_name":"web","microservice_namespace":"bench","virtualization":"container",
      "code":"docker.io/library/nginx:latest","memory":16,"vcpus":0.1}]}]}
    """;
}
