using System.Diagnostics;
using Canopy.Contracts.Api;
using Canopy.Testing;
using Xunit.Abstractions;

namespace Canopy.EndToEnd.Tests.Topology;

/// <summary>
/// Hosts whose clocks are wrong (an edge board without a real-time clock, no NTP): a worker an hour ahead of its cluster and a
/// cluster half an hour behind the root, made with libfaketime. They stay active, their instances run, the times the root shows
/// are in its own clock, and the CLI says whose clock is off.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TopologyClockSkewTests(ITestOutputHelper output)
{
    [Fact]
    public async Task WorkerAnHourAhead_ClusterHalfAnHourBehind_StayActive_TimesInTheRootsClock_CliWarns()
    {
        Requirements.Check();
        var topology = await Canopy.Testing.Topology.StartAsync(clusters: 2, workers: 2, hostEnvironment: new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["c0w1"] = FakeClock("+1h"),
            ["c1"] = FakeClock("-30m"),
        });
        await topology.RunAsync(async () =>
        {
            using var api = await topology.ApiAsync();
            var nodes = await Wait.ForAsync(() => api.GetJsonAsync<List<NodeDocument>>("api/v1/nodes?cluster=cluster-0"),
                n => n.Any(x => x.Name == "c0w1" && x.ClockSkewSeconds is not null), TimeSpan.FromSeconds(10), "c0w1's clock skew known");
            nodes.Single(n => n.Name == "c0w1").ClockSkewSeconds!.Value.ShouldBe(3600, 10);
            nodes.Single(n => n.Name == "c0w0").ClockSkewSeconds!.Value.ShouldBe(0, 2);
            var clusters = await api.GetJsonAsync<List<ClusterDocument>>("api/clusters/");
            clusters.Single(c => c.ClusterName == "cluster-1").ClockSkewSeconds!.Value.ShouldBe(-1800, 10);
            clusters.Single(c => c.ClusterName == "cluster-0").ClockSkewSeconds!.Value.ShouldBe(0, 2);

            var nodesCli = await topology.CliAsync("nodes", "--cluster", "cluster-0");
            nodesCli.ExitCode.ShouldBe(0, nodesCli.ToString());
            nodesCli.StdErr.ShouldContain("node c0w1's clock is 3600 s ahead of its cluster's");
            var clustersCli = await topology.CliAsync("clusters");
            clustersCli.StdErr.ShouldContain("cluster cluster-1's clock is 1800 s behind the root's");

            // Instances on the skewed hosts run, and started "just now" in the root's clock (not an hour ahead or half an hour ago).
            var ahead = await TopologyServices.DeploySleeperAsync(topology, api, "ahead", 16, """{"type": "direct", "cluster": "cluster-0", "node": "c0w1"}""");
            var behind = await TopologyServices.DeploySleeperAsync(topology, api, "behind", 16, """{"type": "direct", "cluster": "cluster-1"}""");
            foreach (var serviceId in new[] { ahead, behind })
            {
                var instance = (await TopologyServices.RunningAsync(api, serviceId, 1)).Single();
                var started = await Wait.ForAsync(() => api.ServiceAsync(serviceId), s => s.InstanceList[0].StartedAt is not null,
                    TimeSpan.FromSeconds(10), "started_at reported");
                var age = DateTimeOffset.UtcNow - started.InstanceList[0].StartedAt!.Value;
                output.WriteLine($"{instance.ClusterName}/{instance.NodeName}: started {age.TotalSeconds:0.0} s ago by the root's clock");
                age.Duration().ShouldBeLessThan(TimeSpan.FromSeconds(30));
            }

            // Liveness uses each receiver's own clock: nobody is taken for dead over several heartbeat timeouts.
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(8))
            {
                (await api.GetJsonAsync<List<ClusterDocument>>("api/clusters/active")).Count.ShouldBe(2);
                (await api.GetJsonAsync<List<NodeDocument>>("api/v1/nodes?cluster=cluster-0")).ShouldAllBe(n => n.Active);
                await Task.Delay(1000);
            }

            topology.Host("c0").Log.ShouldNotContain("is inactive");
        }, output.WriteLine, h => h.Role != "node" || h.Name == "c0w1");
    }

    /// <summary>libfaketime shifts the wall clock only (monotonic clocks stay true, as after a wrong RTC or a manual date).</summary>
    private static Dictionary<string, string> FakeClock(string offset)
    {
        var library = Directory.EnumerateDirectories("/usr/lib", "*-linux-gnu")
            .Select(d => Path.Combine(d, "faketime", "libfaketimeMT.so.1")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("libfaketime not found: apt-get install libfaketime (scripts/install-deps.sh test does)");
        return new() { ["LD_PRELOAD"] = library, ["FAKETIME"] = offset, ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1" };
    }
}
