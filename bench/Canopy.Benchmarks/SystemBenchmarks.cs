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
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync();
        using var api = await canopy.ApiAsync();
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var port = FreePort.Block(1);
            var sla = ExecSla($"bench{i}", port);
            var created = await api.PostAsync("api/application/", new StringContent(sla, System.Text.Encoding.UTF8, "application/json"));
            created.EnsureSuccessStatusCode();
            var apps = (await created.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!;
            var serviceId = apps.Single(a => a.ApplicationName == $"bench{i}").Microservices.Single();

            var clock = Stopwatch.StartNew();
            (await api.PostAsync($"api/service/{serviceId}/instance", null)).EnsureSuccessStatusCode();
            while (true)
            {
                var service = (await api.GetFromJsonAsync<ServiceDocument>($"api/service/{serviceId}", CanopyJson.Options))!;
                if (service.InstanceList.Count == 1 && service.InstanceList[0].Status == InstanceStatus.Running)
                {
                    break;
                }

                if (clock.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException($"deployment {i} not RUNNING after 30 s: {service.InstanceList.FirstOrDefault()?.Status}");
                }

                await Task.Delay(5);
            }

            times.Add(clock.Elapsed.TotalMilliseconds);
            if (Environment.GetEnvironmentVariable("CANOPY_BENCH_VERBOSE") is not null)
            {
                Console.WriteLine($"  deployment {i}: {clock.Elapsed.TotalMilliseconds:0} ms");
            }
            (await api.DeleteAsync($"api/application/{apps.Single(a => a.ApplicationName == $"bench{i}").ApplicationId}")).EnsureSuccessStatusCode();
        }

        Console.WriteLine($"exec deploy (POST instance) → RUNNING: {Stats.Summary(times)}");
    }

    public static async Task IdleMemoryAsync()
    {
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(15));
        Console.WriteLine($"canopy up idle RSS (root + cluster + node, without Mosquitto): {Stats.RssMb(canopy.Pid):0.0} MB");

        var tokens = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(canopy.DataDir, "join-tokens.json")));
        var nodeToken = tokens.RootElement.GetProperty("node_join_token").GetString()!;
        var nodeDir = Directory.CreateTempSubdirectory("canopy-bench-node-").FullName;
        var psi = new ProcessStartInfo(Repo.CanopyBinary)
        {
            ArgumentList = { "node", "--data-dir", nodeDir, "--cluster", $"http://127.0.0.1:{canopy.ClusterPort}", "--join-token", nodeToken, "--name", "bench-node", "--log-level", "Warning" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(psi)!;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(15));
            Console.WriteLine($"canopy node idle RSS (alone, joined, 0 instances): {Stats.RssMb(node.Id):0.0} MB");
        }
        finally
        {
            Signals.Kill(node.Id, Signals.SigTerm);
            await node.WaitForExitAsync();
            Directory.Delete(nodeDir, recursive: true);
        }
    }

    private static string ExecSla(string app, int port) => $$"""
    {"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"{{app}}","application_namespace":"bench",
     "microservices":[{"microservice_name":"web","microservice_namespace":"bench","virtualization":"exec",
      "cmd":["busybox","httpd","-f","-p","{{port}}","-h","/tmp"],"memory":32,"vcpus":0.5,"port":"{{port}}"}]}]}
    """;
}
