using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Cli.Client;
using Canopy.Cli.Interaction;
using Canopy.Contracts;
using Canopy.Contracts.Api;

namespace Canopy.Cli.Commands;

public static class InfrastructureCommands
{
    public static Command Nodes()
    {
        var cluster = new Option<string?>("--cluster", "-c") { Description = "Only the nodes of this cluster (asked through the root)" };
        var latency = new Option<bool>("--latency") { Description = "The round-trip times each node measured to its overlay peers instead" };
        var command = new Command("nodes", "Worker nodes, the resources each reports and its subnet") { cluster, latency };
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var query = parse.GetValue(cluster) is { } c ? $"?cluster={Uri.EscapeDataString(c)}" : "";
            var nodes = await api.GetAsync<List<NodeDocument>>($"api/v1/nodes{query}", ct);
            if (parse.GetValue(latency))
            {
                WriteLatencies(output, nodes);
                return ExitCodes.Success;
            }

            if (output.IsJson)
            {
                output.Json(nodes);
                return ExitCodes.Success;
            }

            output.Table(NodeTables.Headers, NodeTables.Rows(nodes));
            foreach (var n in nodes.Where(n => Skewed(n.ClockSkewSeconds)))
            {
                output.Warn($"node {n.Name}'s clock is {SkewText(n.ClockSkewSeconds!.Value)} its cluster's; times it reports are corrected, but set its clock (NTP).");
            }

            foreach (var n in nodes)
            {
                foreach (var (runtime, why) in n.UnavailableRuntimes ?? new Dictionary<string, string>())
                {
                    output.Info($"node {n.Name} cannot run {runtime}: {why}");
                }

                if (n.PrivilegedRuntimes is { Count: > 0 } privileged)
                {
                    output.Info($"node {n.Name} lets privileged {string.Join(" and ", privileged)} workloads run (its operator's opt-in)");
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteLatencies(Output output, IReadOnlyList<NodeDocument> nodes)
    {
        if (output.IsJson)
        {
            output.Json(NodeTables.Latencies(nodes));
            return;
        }

        output.Table(NodeTables.LatencyHeaders, NodeTables.LatencyRows(nodes));
        if (nodes.All(n => n.LatencyMs is not { Count: > 0 }))
        {
            output.Info("No node has measured a round trip yet: nodes measure their overlay peers, the nodes hosting instances their own instances may call.");
        }
    }

    public static Command Clusters()
    {
        var command = new Command("clusters", "Clusters and the resources they aggregate from their workers");
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var clusters = await api.GetAsync<List<ClusterDocument>>("api/clusters/", ct);
            if (output.IsJson)
            {
                output.Json(clusters);
                return ExitCodes.Success;
            }

            output.Table(["NAME", "ACTIVE", "NODES", "VCPUS", "CPU %", "MEMORY (AVAIL/TOTAL)", "MEM %", "ARCH", "RUNTIMES", "LOCATION"],
                clusters.Select(c => (IReadOnlyList<string>)
                [
                    c.ClusterName, c.Active ? "yes" : "no", Num(c.Resources, "active_nodes", 0), Num(c.Resources, "vcpus", 0),
                    Num(c.Resources, "cpu_percent", 1), $"{Format.Mb(Value(c.Resources, "memory"))} / {Format.Mb(Value(c.Resources, "memory_total"))}",
                    Num(c.Resources, "memory_percent", 1), List(c.Resources, "architecture"), List(c.Resources, "virtualization"),
                    Format.OrDash(c.ClusterLocation),
                ]));
            foreach (var c in clusters)
            {
                // Aggregated from its workers, each reason naming the node it comes from.
                if (c.Resources["unavailable_runtimes"] is JsonObject unavailable)
                {
                    foreach (var (runtime, why) in unavailable)
                    {
                        output.Info($"cluster {c.ClusterName}: {runtime} is unusable on {why}");
                    }
                }
            }

            foreach (var c in clusters.Where(c => Skewed(c.ClockSkewSeconds)))
            {
                output.Warn($"cluster {c.ClusterName}'s clock is {SkewText(c.ClockSkewSeconds!.Value)} the root's; times it reports are corrected, but set its clock (NTP).");
            }

            await ShowRootLeaderAsync(api, output, ct);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Which root replica leads (the one the clusters link to) and the replicas there are, from <c>/health</c>.</summary>
    private static async Task ShowRootLeaderAsync(ApiClient api, Output output, CancellationToken ct)
    {
        var health = await api.GetAsync<RootHealth>("health", ct);
        output.Info(health.Leader is { } leader
            ? $"Root leader: {leader.Url} (replica {leader.Id}, term {leader.Term}); {health.Replicas.Count} replica(s): " +
              string.Join(", ", health.Replicas.Select(r => r.Url + (r.Leader ? " (leader)" : "")))
            : $"No root replica leads right now (an election takes a few seconds); {api.Server} answered.");
        if (health.Problem is { } problem)
        {
            output.Warn(problem);
        }
    }

    private static bool Skewed(double? seconds) => seconds is { } s && TimeSpan.FromSeconds(s).Duration() > ClockSkew.Tolerance;

    private static string SkewText(double seconds) => ClockSkew.Describe(TimeSpan.FromSeconds(seconds));

    private static double Value(JsonObject resources, string key) =>
        resources[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : 0;

    private static string Num(JsonObject resources, string key, int decimals) => Format.Number(Value(resources, key), decimals);

    private static string List(JsonObject resources, string key) => resources[key] switch
    {
        JsonArray a => string.Join(",", a.Select(x => x?.ToString()).Where(x => !string.IsNullOrEmpty(x)).Distinct()),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.ToString(),
        _ => "-",
    };
}
