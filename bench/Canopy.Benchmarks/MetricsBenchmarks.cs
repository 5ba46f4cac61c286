using System.Diagnostics;
using System.Net.Http.Headers;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>
/// What a Prometheus scrape costs (issue 13): <c>canopy up</c> with <paramref name="services"/> exec services of one RUNNING instance
/// each, then <c>GET /metrics</c> of the root and of the cluster (which serves its node's series too), one after another.
/// </summary>
internal static class MetricsBenchmarks
{
    public static async Task ScrapeAsync(int services, int runs)
    {
        Console.WriteLine($"/metrics scrape time with {services} services; load average at the start {Stats.LoadAverage()}");
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync();
        using var api = await canopy.ApiAsync();
        var ids = new List<string>();
        for (var i = 0; i < services; i++)
        {
            var (_, serviceId) = await Deploys.CreateAsync(api, $"scrape{i}", FreePort.Block(1));
            (await api.PostAsync($"api/service/{serviceId}/instance", null)).EnsureSuccessStatusCode();
            ids.Add(serviceId);
        }

        // Scrapes from this machine need no token under `up`; the token is sent anyway, as a Prometheus elsewhere would.
        var token = (await File.ReadAllTextAsync(Path.Combine(canopy.DataDir, "root", "metrics-token"))).Trim();
        using var root = canopy.Http();
        using var cluster = new HttpClient(ClusterCa.PinnedHandler(canopy.ClusterPin)) { BaseAddress = new Uri(canopy.ClusterUrl + "/") };
        foreach (var tier in new[] { root, cluster })
        {
            tier.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        await Wait.ForAsync(async () => PrometheusText.Parse(await root.GetStringAsync("metrics")),
            m => m.Sum("canopy_instances", ("state", "RUNNING")) >= services, TimeSpan.FromSeconds(60 + services), $"{services} instances RUNNING");
        Console.WriteLine($"  {services} instances RUNNING; load average {Stats.LoadAverage()}");

        foreach (var (name, tier) in new[] { ("root", root), ("cluster (+ node)", cluster) })
        {
            var times = new List<double>();
            long bytes = 0;
            var series = 0;
            for (var i = 0; i < runs + 3; i++)
            {
                var clock = Stopwatch.StartNew();
                var text = await tier.GetStringAsync("metrics");
                var ms = clock.Elapsed.TotalMilliseconds;
                if (i >= 3)
                {
                    // The first scrapes warm up (JIT, the exporter's buffers): not counted.
                    times.Add(ms);
                }

                bytes = text.Length;
                series = PrometheusText.Parse(text).Samples.Count;
            }

            Console.WriteLine($"  {name}: {Stats.Summary(times)}; {bytes / 1024.0:0} KB, {series} samples; load average {Stats.LoadAverage()}");
        }
    }
}
