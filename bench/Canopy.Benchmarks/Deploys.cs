using System.Diagnostics;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>Deploys through the root's API and what it takes until the root reports RUNNING.</summary>
internal static class Deploys
{
    /// <summary>Per run: a new application with one exec service, then the clock runs from POST instance to RUNNING at the root.</summary>
    /// <param name="log">With CANOPY_BENCH_VERBOSE: the process's console so far, whose lines logged during each deploy are printed.</param>
    public static async Task<List<double>> MeasureAsync(HttpClient api, int runs, string prefix = "bench", Func<string>? log = null)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var name = $"{prefix}{i}";
            var (applicationId, serviceId) = await CreateAsync(api, name, FreePort.Block(1));
            var logged = log?.Invoke().Length ?? 0;
            var postedAt = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            (await api.PostAsync($"api/service/{serviceId}/instance", null)).EnsureSuccessStatusCode();
            var posted = clock.Elapsed.TotalMilliseconds;
            await WaitAsync(api, serviceId, s => s.InstanceList is [{ Status: InstanceStatus.Running }], TimeSpan.FromSeconds(30), $"deployment {i} RUNNING");
            times.Add(clock.Elapsed.TotalMilliseconds);
            if (Environment.GetEnvironmentVariable("CANOPY_BENCH_VERBOSE") is not null)
            {
                Console.WriteLine($"  deployment {i}: {times[^1]:0} ms (POST answered after {posted:0} ms)");
                await PrintStoryAsync(api, serviceId, postedAt);
                if (log is not null)
                {
                    Console.Write(log()[logged..]);
                }
            }

            // The next deploy starts once this one is gone everywhere: its removal (a kill at the node, durable commits at the root)
            // would otherwise run beside the next deploy and be counted in it.
            (await api.DeleteAsync($"api/application/{applicationId}")).EnsureSuccessStatusCode();
            await Wait.UntilAsync(async () => (await api.GetAsync($"api/service/{serviceId}")).StatusCode == System.Net.HttpStatusCode.NotFound,
                TimeSpan.FromSeconds(30), $"deployment {i} removed");
        }

        return times;
    }

    /// <summary>Where the time went: the instance's events at the root, as offsets from the POST (one machine, one clock).</summary>
    private static async Task PrintStoryAsync(HttpClient api, string serviceId, DateTimeOffset start)
    {
        var detail = await api.GetFromJsonAsync<InstanceDetailDocument>($"api/v1/services/{serviceId}/instances/0", CanopyJson.Options);
        foreach (var e in detail!.Events)
        {
            Console.WriteLine($"    +{(e.Time - start).TotalMilliseconds,4:0} ms {e.Status} {e.Cluster}/{e.Node}");
        }
    }

    /// <summary>An application with one exec service (busybox httpd on <paramref name="port"/>), no instance yet.</summary>
    public static async Task<(string ApplicationId, string ServiceId)> CreateAsync(HttpClient api, string name, int port)
    {
        var created = await api.PostAsync("api/application/", new StringContent(ExecSla(name, port), System.Text.Encoding.UTF8, "application/json"));
        created.EnsureSuccessStatusCode();
        var apps = (await created.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!;
        var app = apps.Single(a => a.ApplicationName == name);
        return (app.ApplicationId, app.Microservices.Single());
    }

    /// <summary>Polls the service every 5 ms (the resolution of the figures) until <paramref name="done"/>.</summary>
    public static Task<ServiceDocument> WaitAsync(HttpClient api, string serviceId, Func<ServiceDocument, bool> done, TimeSpan timeout, string what) =>
        Wait.ForAsync(async () => (await api.GetFromJsonAsync<ServiceDocument>($"api/service/{serviceId}", CanopyJson.Options))!,
            done, timeout, what, poll: TimeSpan.FromMilliseconds(5));

    private static string ExecSla(string app, int port) => $$"""
    {"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"{{app}}","application_namespace":"bench",
     "microservices":[{"microservice_name":"web","microservice_namespace":"bench","virtualization":"exec",
      "cmd":["busybox","httpd","-f","-p","{{port}}","-h","/tmp"],"memory":32,"vcpus":0.5,"port":"{{port}}"}]}]}
    """;
}
