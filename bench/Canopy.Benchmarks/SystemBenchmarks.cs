using System.Diagnostics;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>Figures of the whole system, measured on `canopy up` as a real process (never as timed unit tests).</summary>
internal static class SystemBenchmarks
{
    public static async Task StartupAsync(int runs)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            await using var canopy = new CanopyProcess();
            await canopy.StartAsync();
            times.Add(canopy.StartupTime.TotalMilliseconds);
        }

        Console.WriteLine($"canopy up → ready (cluster registered, node joined): {Stats.Summary(times)}");
    }

    public static async Task DeployExecAsync(int runs)
    {
        // Verbose: every tier logs at Debug, and each deploy's lines are printed with its events (which slows it a little).
        var verbose = Environment.GetEnvironmentVariable("CANOPY_BENCH_VERBOSE") is not null;
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync(extraArgs: verbose ? ["--log-level", "Debug"] : null);
        using var api = await canopy.ApiAsync();
        var times = await Deploys.MeasureAsync(api, runs, log: verbose ? () => canopy.StdOut : null);
        Console.WriteLine($"exec deploy (POST instance) → RUNNING: {Stats.Summary(times)}");
    }

    public static async Task IdleMemoryAsync()
    {
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(15));
        Console.WriteLine($"canopy up idle RSS (root + cluster + node, without Mosquitto): {Stats.RssMb(canopy.Pid):0.0} MB");

        // The cluster's API is https since issue 10: NodeProcess joins with its URL and the token carrying the cluster CA's pin.
        await using var node = new NodeProcess(canopy, "bench-node");
        node.Start("--log-level", "Warning");
        using var api = await canopy.ApiAsync();
        using var clusterApi = new HttpClient(ClusterCa.PinnedHandler(canopy.ClusterPin)) { BaseAddress = new Uri(canopy.ClusterUrl) };
        clusterApi.DefaultRequestHeaders.Authorization = api.DefaultRequestHeaders.Authorization;
        await Wait.ForAsync(async () => await clusterApi.GetFromJsonAsync<List<NodeDocument>>("api/v1/nodes", CanopyJson.Options) ?? [],
            nodes => nodes.Any(n => n.Name == node.Name && n.Active), TimeSpan.FromSeconds(60), $"node {node.Name} to join:\n{node.Output}");
        await Task.Delay(TimeSpan.FromSeconds(15));
        Console.WriteLine($"canopy node idle RSS (alone, joined, 0 instances): {Stats.RssMb(node.Pid):0.0} MB");
    }
}
