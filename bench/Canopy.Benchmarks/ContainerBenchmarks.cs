using System.Diagnostics;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Cri;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>Container figures: deploy → RUNNING (image present / pulled) beside raw CRI in the same run, `ctr run` for comparison, node memory and CPU with 50 containers.</summary>
internal static class ContainerBenchmarks
{
    private const string Present = "127.0.0.1:5000/canopy/busybox:1";
    private const string Pulled = "127.0.0.1:5000/canopy/busybox:2";

    public static async Task DeployAsync(int runs)
    {
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync();
        using var api = await canopy.ApiAsync();
        var socket = Path.Combine(canopy.DataDir, "node", "containerd", "containerd.sock");
        await WaitForContainersAsync(api);

        // Raw CRI runs interleaved with Canopy's deploys, so that both see the same machine (a busy one shifts both alike).
        using var raw = new RawCri(socket, Present, Path.Combine(canopy.DataDir, "rawcri"));
        await DeployOnceAsync(api, Present, "warm"); // the image is present from here on
        await raw.DeployOnceAsync(-1, CancellationToken.None);
        var present = new List<double>();
        var pulled = new List<double>();
        var cri = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            cri.Add(await raw.DeployOnceAsync(i, CancellationToken.None));
            present.Add(await DeployOnceAsync(api, Present, $"present{i}"));
            await RemoveImageAsync(socket, Pulled);
            pulled.Add(await DeployOnceAsync(api, Pulled, $"pulled{i}"));
        }

        Console.WriteLine($"raw CRI RunPodSandbox + CreateContainer + StartContainer (Canopy.Cri, same containerd, CNI and pod configs, image present): {Stats.Summary(cri)}");
        Console.WriteLine($"container deploy → RUNNING, image present: {Stats.Summary(present)}");
        Console.WriteLine($"  Canopy over raw CRI (medians): {Stats.Percentile(present, 50) - Stats.Percentile(cri, 50):+0;-0} ms");
        Console.WriteLine($"container deploy → RUNNING, image pulled from the local registry: {Stats.Summary(pulled)}");

        var ctr = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var id = $"ctrbench{i}";
            var clock = Stopwatch.StartNew();
            await Ctr.RunAsync(socket, "-n", "k8s.io", "run", "-d", "--net-host", Present, id, "httpd", "-f", "-p", $"{FreePort.Block(1)}", "-h", "/www");
            ctr.Add(clock.Elapsed.TotalMilliseconds);
            await Ctr.RunAsync(socket, "-n", "k8s.io", "task", "kill", "-s", "SIGKILL", id);
            await Ctr.RunAsync(socket, "-n", "k8s.io", "task", "delete", "-f", id);
            await Ctr.RunAsync(socket, "-n", "k8s.io", "containers", "delete", id);
        }

        Console.WriteLine($"`ctr run -d --net-host` (image present, same containerd): {Stats.Summary(ctr)}");
        await CriRoundTripsAsync(socket, calls: 1000);
    }

    /// <summary>Warm round trips of Canopy.Cri to the node's containerd: the floor under every container operation.</summary>
    private static async Task CriRoundTripsAsync(string socket, int calls)
    {
        using var cri = new CriClient(socket);
        await cri.VersionAsync(CancellationToken.None); // opens the connection
        foreach (var (name, call) in new (string, Func<Task>)[]
                 {
                     ("Version", () => cri.VersionAsync(CancellationToken.None)),
                     ("ListPodSandbox", () => cri.ListPodSandboxAsync(null, CancellationToken.None)),
                 })
        {
            var ms = new List<double>(calls);
            for (var i = 0; i < calls; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await call();
                ms.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            Console.WriteLine($"CRI {name} round trip (Canopy.Cri, warm): median {Stats.Percentile(ms, 50):0.000} ms, p95 {Stats.Percentile(ms, 95):0.000} ms (n={calls})");
        }
    }

    /// <param name="nativeNode">The native <c>canopy-node</c> to measure; null: the JIT <c>canopy node</c>.</param>
    public static async Task NodeLoadAsync(int containers, string? nativeNode = null)
    {
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync(extraArgs: ["--no-containers"]);
        await using var node = new NodeProcess(canopy, "bench-node", nativeNode);
        node.Start("--log-level", "Warning");
        var kind = nativeNode is null ? "canopy node" : "native canopy-node";
        using var api = await canopy.ApiAsync();
        await WaitForContainersAsync(api);
        await Task.Delay(TimeSpan.FromSeconds(15));
        Console.WriteLine($"{kind} idle RSS with containerd, 0 containers: {Stats.RssMb(node.Pid):0.0} MB");

        var created = await api.PostAsync("api/application/", new StringContent(Sla("fifty", Present, containers), System.Text.Encoding.UTF8, "application/json"));
        created.EnsureSuccessStatusCode();
        var serviceId = (await created.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single(a => a.ApplicationName == "fifty").Microservices.Single();
        var clock = Stopwatch.StartNew();
        (await api.PutAsJsonAsync($"api/v1/services/{serviceId}/scale", new ScaleRequest(containers), CanopyJson.Options)).EnsureSuccessStatusCode();
        while ((await api.GetFromJsonAsync<ServiceDocument>($"api/service/{serviceId}", CanopyJson.Options))!.InstanceList is var instances &&
               instances.Count(i => i.Status == InstanceStatus.Running) < containers)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                var states = string.Join(", ", instances.GroupBy(i => i.Status).Select(g => $"{g.Count()} {g.Key.ToWireName()}"));
                throw new TimeoutException($"{containers} containers not RUNNING after 5 min ({states}):\n{node.Output[^Math.Min(node.Output.Length, 4000)..]}");
            }

            await Task.Delay(200);
        }

        Console.WriteLine($"{containers} containers RUNNING after {clock.Elapsed.TotalSeconds:0.0} s");
        await Task.Delay(TimeSpan.FromSeconds(10));
        var (cpu, seconds) = await CpuPercentAsync(node.Pid, TimeSpan.FromSeconds(30));
        Console.WriteLine($"{kind} RSS with {containers} running containers: {Stats.RssMb(node.Pid):0.0} MB (its containerd and shims not counted)");
        Console.WriteLine($"{kind} CPU with {containers} running containers: {cpu:0.0} % of one core (over {seconds:0} s)");
    }

    private static async Task<(double Percent, double Seconds)> CpuPercentAsync(int pid, TimeSpan window)
    {
        static double Ticks(int pid)
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return double.Parse(fields[11]) + double.Parse(fields[12]); // utime + stime
        }

        var before = Ticks(pid);
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        var used = (Ticks(pid) - before) / 100.0; // USER_HZ
        return (used / clock.Elapsed.TotalSeconds * 100, clock.Elapsed.TotalSeconds);
    }

    private static async Task<double> DeployOnceAsync(HttpClient api, string image, string app)
    {
        var created = await api.PostAsync("api/application/", new StringContent(Sla(app, image, 1), System.Text.Encoding.UTF8, "application/json"));
        created.EnsureSuccessStatusCode();
        var document = (await created.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single(a => a.ApplicationName == app);
        var serviceId = document.Microservices.Single();
        var clock = Stopwatch.StartNew();
        (await api.PostAsync($"api/service/{serviceId}/instance", null)).EnsureSuccessStatusCode();
        while (true)
        {
            var service = (await api.GetFromJsonAsync<ServiceDocument>($"api/service/{serviceId}", CanopyJson.Options))!;
            if (service.InstanceList.Count == 1 && service.InstanceList[0].Status == InstanceStatus.Running)
            {
                break;
            }

            if (service.InstanceList.Count == 1 && service.InstanceList[0].Status == InstanceStatus.Failed)
            {
                throw new InvalidOperationException($"{app} FAILED: {service.InstanceList[0].StatusDetail}");
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"{app} not RUNNING after 60 s");
            }

            await Task.Delay(5);
        }

        var elapsed = clock.Elapsed.TotalMilliseconds;
        (await api.DeleteAsync($"api/application/{document.ApplicationId}")).EnsureSuccessStatusCode();
        while ((await api.GetFromJsonAsync<List<ApplicationDocument>>("api/applications/", CanopyJson.Options))!.Any(a => a.ApplicationId == document.ApplicationId))
        {
            await Task.Delay(20);
        }

        return elapsed;
    }

    /// <summary>Removes every reference to the image (its tag and the sha256 ref CRI adds), so the next deploy must pull.</summary>
    private static async Task RemoveImageAsync(string socket, string image)
    {
        var list = await Ctr.RunAsync(socket, "-n", "k8s.io", "images", "ls");
        var lines = list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var digest = lines.FirstOrDefault(l => l[0] == image)?[2];
        if (digest is null)
        {
            return;
        }

        foreach (var reference in lines.Where(l => l[2] == digest).Select(l => l[0]))
        {
            await Ctr.RunAsync(socket, "-n", "k8s.io", "images", "rm", "--sync", reference);
        }
    }

    private static async Task WaitForContainersAsync(HttpClient api)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await api.GetFromJsonAsync<List<ClusterDocument>>("api/clusters/", CanopyJson.Options))!
               .All(c => !(c.Resources["virtualization"]?.ToJsonString() ?? "").Contains("container")))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("no cluster offers containers after 60 s: is containerd installed?");
            }

            await Task.Delay(200);
        }
    }

    private static string Sla(string app, string image, int instances) => $$"""
    {"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"{{app}}","application_namespace":"bench",
     "microservices":[{"microservice_name":"web","microservice_namespace":"bench","virtualization":"container","code":"{{image}}",
      "cmd":["httpd","-f","-p","8080","-h","/www"],"memory":16,"vcpus":0.1,"instances":{{instances}}}]}]}
    """;
}
