using System.Text.Json.Nodes;
using Canopy.Cluster.RootLink;

namespace Canopy.Cluster.Tests.RootLink;

/// <summary>Which changes of the aggregate are worth a message to the root before the next heartbeat.</summary>
public sealed class ResourceReportTests
{
    private static JsonObject Aggregate(double cpu = 41.2, long memory = 20_000, double memoryPercent = 17.3, int activeNodes = 3) => new JsonObject
    {
        ["aggregation_per_architecture"] = new JsonObject { ["amd64"] = Part(cpu, memory, memoryPercent, activeNodes) },
    }.Merge(Part(cpu, memory, memoryPercent, activeNodes));

    private static JsonObject Part(double cpu, long memory, double memoryPercent, int activeNodes) => new()
    {
        ["cpu_percent"] = cpu,
        ["memory"] = memory,
        ["memory_total"] = 24_000L,
        ["memory_percent"] = memoryPercent,
        ["vcpus"] = 6.0,
        ["active_nodes"] = activeNodes,
        ["virtualization"] = new JsonArray("exec"),
    };

    [Fact]
    public void Jitter_OfLiveGauges_IsNotAChange() =>
        ResourceReport.Fingerprint(Aggregate(cpu: 48.9, memory: 20_150, memoryPercent: 16.8))
            .ShouldBe(ResourceReport.Fingerprint(Aggregate()));

    [Theory]
    [InlineData(90.0, 20_000L, 17.3, 3)]
    [InlineData(41.2, 17_000L, 17.3, 3)]
    [InlineData(41.2, 20_000L, 30.0, 3)]
    [InlineData(41.2, 20_000L, 17.3, 2)]
    public void Load_MemoryOrNodes_Changing_IsAChange(double cpu, long memory, double memoryPercent, int activeNodes) =>
        ResourceReport.Fingerprint(Aggregate(cpu, memory, memoryPercent, activeNodes))
            .ShouldNotBe(ResourceReport.Fingerprint(Aggregate()));

    [Fact]
    public void Fingerprint_LeavesTheAggregateAlone()
    {
        var aggregate = Aggregate();
        ResourceReport.Fingerprint(aggregate);
        aggregate["cpu_percent"]!.GetValue<double>().ShouldBe(41.2);
    }
}

internal static class JsonObjectMerge
{
    public static JsonObject Merge(this JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source)
        {
            target[key] = value?.DeepClone();
        }

        return target;
    }
}
