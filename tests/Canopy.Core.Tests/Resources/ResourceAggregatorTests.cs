using System.Text.Json.Nodes;

namespace Canopy.Core.Resources.Tests;

public class ResourceAggregatorTests
{
    private static JsonObject Worker(string json) => JsonNode.Parse(json)!.AsObject();

    private static JsonObject Aggregate(params string[] workers) => ResourceAggregator.Aggregate(workers.Select(Worker));

    [Theory]
    [InlineData("vcpus", "4", "8", "12")]
    [InlineData("vgpus", "0", "1", "1")]
    [InlineData("memory", "1024", "2048", "3072")]
    [InlineData("memory_total", "4096", "8192", "12288")]
    [InlineData("vram", "0", "8000", "8000")]
    [InlineData("vcpus", "1.5", "2", "3.5")]
    [InlineData("cpu_percent", "20", "40", "30")]
    [InlineData("cpu_percent", "0", "40", "40")]
    [InlineData("cpu_percent", "0", "0", "0")]
    [InlineData("memory_percent", "10.5", "0", "10.5")]
    [InlineData("gpu_percent", "50", "100", "75")]
    [InlineData("load_average", "1", "3", "2")]
    [InlineData("virtualization", "[\"container\",\"exec\"]", "[\"container\"]", "[\"container\",\"exec\",\"container\"]")]
    [InlineData("virtualization", "\"exec\"", "[\"container\"]", "[\"exec\",\"container\"]")]
    [InlineData("supported_addons", "[\"gpu\"]", "[]", "[\"gpu\"]")]
    [InlineData("gpu_drivers", "[\"nvidia\"]", "[\"nvidia\"]", "[\"nvidia\",\"nvidia\"]")]
    [InlineData("architecture", "\"amd64\"", "\"arm64\"", "[\"amd64\",\"arm64\"]")]
    [InlineData("csi_drivers", "[\"csi.a\",\"csi.b\"]", "[\"csi.a\"]", "[\"csi.a\",\"csi.b\"]")]
    [InlineData("csi_drivers", "[{\"name\":\"csi.a\"}]", "[{\"name\":\"csi.a\"}]", "[{\"name\":\"csi.a\"}]")]
    [InlineData("gpu_count", "1", "2", "3")]
    [InlineData("disk_free", "0.5", "0.25", "0.75")]
    [InlineData("gpu_model", "\"T4\"", "\"A100\"", "[\"T4\",\"A100\"]")]
    [InlineData("features", "[\"gpu\",\"ssd\"]", "\"tpu\"", "[\"gpu\",\"ssd\",\"tpu\"]")]
    [InlineData("has_gpu", "true", "false", "[true,false]")]
    [InlineData("mixed", "1", "\"x\"", "[1,\"x\"]")]
    [InlineData("maybe", "null", "2", "2")]
    [InlineData("unavailable_runtimes", "{\"container\":\"node a: no busybox\"}", "{\"container\":\"node b: no busybox\",\"wasm\":\"node b: x\"}",
        "{\"container\":\"node a: no busybox; node b: no busybox\",\"wasm\":\"node b: x\"}")]
    [InlineData("unavailable_runtimes", "{\"container\":\"same\"}", "{\"container\":\"same\"}", "{\"container\":\"same\"}")]
    public void Aggregate_TwoWorkers_FollowsTheRuleOfTheKey(string key, string first, string second, string expected)
    {
        var result = Aggregate($"{{\"{key}\": {first}}}", $"{{\"{key}\": {second}}}");

        result[key]!.ToJsonString().ShouldBe(expected);
    }

    [Theory]
    [InlineData("_id")]
    [InlineData("id")]
    [InlineData("ip")]
    [InlineData("port")]
    [InlineData("name")]
    [InlineData("host")]
    [InlineData("candidate_name")]
    [InlineData("candidate_location")]
    [InlineData("location")]
    [InlineData("timestamp")]
    public void Aggregate_IdentityKeys_AreDropped(string key)
    {
        Aggregate($"{{\"{key}\": \"a\"}}", $"{{\"{key}\": \"b\"}}").ContainsKey(key).ShouldBeFalse();
    }

    [Fact]
    public void Aggregate_ObjectValues_AreIgnored()
    {
        Aggregate("{\"labels\": {\"zone\": \"a\"}}", "{\"labels\": {\"zone\": \"b\"}}").ContainsKey("labels").ShouldBeFalse();
    }

    [Fact]
    public void Aggregate_ActiveNodes_CountsWorkersNotTheirOwnValue()
    {
        Aggregate("{\"active_nodes\": 7}", "{}", "{}")["active_nodes"]!.GetValue<int>().ShouldBe(3);
    }

    [Fact]
    public void Aggregate_NoWorkers_IsAnEmptyCluster()
    {
        ResourceAggregator.Aggregate([]).ToJsonString().ShouldBe("{\"active_nodes\":0,\"aggregation_per_architecture\":{}}");
    }

    [Fact]
    public void Aggregate_KeyMissingOnSomeWorkers_UsesThoseThatHaveIt()
    {
        var result = Aggregate("{\"memory\": 100, \"cpu_percent\": 50}", "{\"vcpus\": 2}");

        result["memory"]!.ToJsonString().ShouldBe("100");
        result["cpu_percent"]!.ToJsonString().ShouldBe("50");
        result["vcpus"]!.ToJsonString().ShouldBe("2");
    }

    [Fact]
    public void Aggregate_PerArchitecture_AggregatesEachGroup()
    {
        var result = Aggregate(
            "{\"architecture\": \"amd64\", \"vcpus\": 4, \"memory\": 1000, \"cpu_percent\": 10, \"virtualization\": [\"container\"]}",
            "{\"architecture\": \"arm64\", \"vcpus\": 2, \"memory\": 500, \"cpu_percent\": 30, \"virtualization\": [\"exec\"]}",
            "{\"architecture\": \"amd64\", \"vcpus\": 8, \"memory\": 3000, \"cpu_percent\": 30, \"virtualization\": [\"exec\"]}",
            "{\"vcpus\": 1}");

        result["vcpus"]!.ToJsonString().ShouldBe("15");
        result["active_nodes"]!.ToJsonString().ShouldBe("4");
        var groups = result[ResourceAggregator.PerArchitecture]!.AsObject();
        groups.Select(g => g.Key).ShouldBe(["amd64", "arm64", "unknown"]);
        groups["amd64"]!.ToJsonString().ShouldBe(
            "{\"active_nodes\":2,\"architecture\":[\"amd64\",\"amd64\"],\"cpu_percent\":20,\"memory\":4000,\"vcpus\":12,\"virtualization\":[\"container\",\"exec\"]}");
        groups["arm64"]!["vcpus"]!.ToJsonString().ShouldBe("2");
        groups["unknown"]!["active_nodes"]!.ToJsonString().ShouldBe("1");
        groups["amd64"]!.AsObject().ContainsKey(ResourceAggregator.PerArchitecture).ShouldBeFalse();
    }

    [Fact]
    public void Aggregate_Keys_AreSortedWithPerArchitectureLastAndRepeatable()
    {
        var workers = new[]
        {
            Worker("{\"zeta\": 1, \"memory\": 2, \"alpha\": \"x\", \"architecture\": \"amd64\"}"),
            Worker("{\"beta\": [1], \"memory\": 3}"),
        };

        var first = ResourceAggregator.Aggregate(workers);
        var second = ResourceAggregator.Aggregate(workers);

        var keys = first.Select(p => p.Key).ToList();
        keys[^1].ShouldBe(ResourceAggregator.PerArchitecture);
        keys[..^1].ShouldBe(keys[..^1].Order(StringComparer.Ordinal).ToList());
        second.ToJsonString().ShouldBe(first.ToJsonString());
    }

    [Fact]
    public void Aggregate_DoesNotTakeNodesAwayFromTheWorkers()
    {
        var worker = Worker("{\"virtualization\": [\"container\"], \"features\": [\"gpu\"], \"csi_drivers\": [{\"name\": \"a\"}]}");

        ResourceAggregator.Aggregate([worker]);

        worker.ToJsonString().ShouldBe("{\"virtualization\":[\"container\"],\"features\":[\"gpu\"],\"csi_drivers\":[{\"name\":\"a\"}]}");
    }

    [Fact]
    public void Aggregate_BuiltNodes_AreReadLikeParsedOnes()
    {
        var worker = new JsonObject { ["vcpus"] = 4, ["memory"] = 1024L, ["cpu_percent"] = 12.5, ["architecture"] = "amd64" };

        var result = ResourceAggregator.Aggregate([worker, worker.DeepClone().AsObject()]);

        result["vcpus"]!.ToJsonString().ShouldBe("8");
        result["memory"]!.ToJsonString().ShouldBe("2048");
        result["cpu_percent"]!.ToJsonString().ShouldBe("12.5");
    }
}
