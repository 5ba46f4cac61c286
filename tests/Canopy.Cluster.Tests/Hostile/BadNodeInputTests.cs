using System.Net;
using System.Net.Http.Json;
using Canopy.Cluster.Nodes;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;

namespace Canopy.Cluster.Tests.Hostile;

/// <summary>
/// Bad input at scale (issue 11): a node that registers 10,000 times and one that reports impossible resources, through the real
/// broker. The cluster stays responsive for the other nodes and says so once in its log, not once per message.
/// </summary>
public sealed class BadNodeInputTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_node_registering_ten_thousand_times_gets_429_for_its_excess_and_the_others_still_register_and_are_heard()
    {
        await using var root = await FakeRoot.StartAsync();
        var logs = new RecordingLoggerProvider();
        await using var cluster = await TestCluster.StartAsync(output, root, logs: logs);
        var marked = false;
        await using var quiet = await FakeNode.StartAsync(cluster, "quiet", new FakeNodeOptions { Information = i => Volatile.Read(ref marked) ? i with { Memory = 1234 } : i });
        var looping = await FakeNode.RegisterAsync(cluster, "looping");

        var answers = new System.Collections.Concurrent.ConcurrentDictionary<HttpStatusCode, int>();
        var looped = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForAsync(0, 10_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
        {
            using var response = await FakeNode.PostRegistrationAsync(cluster, "looping", looping.Id);
            answers.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
        });

        // Meanwhile the loop may go on: a new node joins and a quiet one is heard.
        await using var newcomer = await FakeNode.StartAsync(cluster, "newcomer");
        Volatile.Write(ref marked, true);
        await Waits.UntilAsync(async () => (await cluster.NodesAsync()).Any(n => n.Id == quiet.Id && n.Memory == 1234), "the quiet node's information",
            TimeSpan.FromSeconds(60));

        // The burst, plus one per refill period while the loop ran (long on a busy machine).
        var allowed = NodeRegistrationRates.Burst + 1 + (int)(looped.Elapsed / NodeRegistrationRates.Refill);
        answers.GetValueOrDefault(HttpStatusCode.OK).ShouldBeLessThanOrEqualTo(allowed, string.Join(", ", answers));
        answers.GetValueOrDefault(HttpStatusCode.TooManyRequests).ShouldBeGreaterThanOrEqualTo(10_000 - allowed, string.Join(", ", answers));
        (await cluster.NodesAsync()).Select(n => n.Name).Order().ShouldBe(["looping", "newcomer", "quiet"]);
        // One warning per node and 30 s, however many refusals (a slow machine may take longer than 30 s for the loop).
        var warnings = logs.Lines.Snapshot().Count(l => l.Contains("registers more than", StringComparison.Ordinal));
        warnings.ShouldBeInRange(1, 1 + (int)(looped.Elapsed.TotalSeconds / 30));
    }

    [Fact]
    public async Task A_registration_loop_under_someone_elses_id_does_not_use_up_that_nodes_registrations()
    {
        await using var root = await FakeRoot.StartAsync();
        await using var cluster = await TestCluster.StartAsync(output, root);
        var victim = await FakeNode.RegisterAsync(cluster, "victim");

        for (var i = 0; i < 3 * NodeRegistrationRates.Burst; i++)
        {
            using var forged = await cluster.Http.PostAsJsonAsync(
                "/api/node/register", FakeNode.Describe("forger", new FakeNodeOptions(), id: victim.Id, secret: "not-the-victims-secret-0123456789"), CanopyJson.Options);
            forged.StatusCode.ShouldNotBe(HttpStatusCode.OK);
        }

        (await FakeNode.RegisterAsync(cluster, "victim", victim.Id)).Id.ShouldBe(victim.Id);
    }

    [Fact]
    public async Task A_node_reporting_impossible_resources_is_clamped_logged_once_and_the_cluster_aggregate_stays_sane()
    {
        await using var root = await FakeRoot.StartAsync();
        var logs = new RecordingLoggerProvider();
        await using var cluster = await TestCluster.StartAsync(output, root, logs: logs);
        await using var absurd = await FakeNode.StartAsync(cluster, "absurd", new FakeNodeOptions
        {
            Information = i => i with { CpuPercent = -40, Vcpus = 1e300, Memory = long.MaxValue, MemoryTotal = long.MaxValue, MemoryPercent = 1e9 },
        });
        var marked = false;
        await using var sane = await FakeNode.StartAsync(cluster, "sane", new FakeNodeOptions { Information = i => Volatile.Read(ref marked) ? i with { Memory = 2345 } : i });

        // Several heartbeats of the absurd node (one every FakeNode interval), then the sane one is still heard.
        await Waits.UntilAsync(async () => (await cluster.NodesAsync()).Any(n => n.Id == absurd.Id && n.Vcpus == NodeReadings.MaxVcpus), "the absurd node, clamped");
        Volatile.Write(ref marked, true);
        await Waits.UntilAsync(async () => (await cluster.NodesAsync()).Any(n => n.Id == sane.Id && n.Memory == 2345), "the sane node's information");

        var node = (await cluster.NodesAsync()).Single(n => n.Id == absurd.Id);
        node.CpuPercent.ShouldBe(0);
        node.MemoryTotal.ShouldBe(NodeReadings.MaxMemory);
        node.Memory.ShouldBeLessThanOrEqualTo(node.MemoryTotal);
        node.MemoryPercent.ShouldBe(100);
        logs.Lines.Snapshot().Count(l => l.Contains("reports impossible resources", StringComparison.Ordinal)).ShouldBe(1);
    }
}
