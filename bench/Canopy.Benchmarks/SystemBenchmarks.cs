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
        var times = await Deploys.MeasureAsync(api, runs);
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
            // A stopped node leaves its containerd running for its containers; the benchmark leaves nothing.
            MachineCleanup.ForDataDir(nodeDir);
        }
    }
}
