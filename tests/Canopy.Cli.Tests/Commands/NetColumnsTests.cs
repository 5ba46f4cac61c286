using Canopy.Cli.Commands;
using Canopy.Contracts.Api;
using Canopy.Core.States;

namespace Canopy.Cli.Tests.Commands;

/// <summary>What the net manager adds to the tables: instance IPs, service IPs, node subnets and measured round trips.</summary>
public sealed class NetColumnsTests
{
    [Fact]
    public void InstanceRows_ShowTheInstanceIp_OrADashWithoutOne()
    {
        var service = new ServiceDocument
        {
            MicroserviceId = "0123456789abcdef01234567",
            ApplicationId = "0123456789abcdef01234568",
            JobName = "shop.demo.web.demo",
            InstanceList =
            [
                new InstanceDocument { InstanceNumber = 1, Status = InstanceStatus.Requested },
                new InstanceDocument { InstanceNumber = 0, Status = InstanceStatus.Running, NodeName = "vm-1", InstanceIp = "10.18.0.5" },
            ],
        };

        var rows = InstanceCommands.Rows([service]).ToList();

        var ip = Array.IndexOf(["SERVICE", "#", "STATUS", "NODE", "CLUSTER", "IP"], "IP");
        rows.Select(r => r[ip]).ShouldBe(["10.18.0.5", "-"]);
    }

    [Fact]
    public void InstanceDetail_ShowsTheInstanceIp()
    {
        var detail = new InstanceDetailDocument { ServiceId = "s", JobName = "j", InstanceIp = "10.18.0.70" };

        InstanceShowCommand.DetailRows(detail).ToDictionary(r => r[0], r => r[1])["instance ip"].ShouldBe("10.18.0.70");
    }

    [Fact]
    public void ServiceIps_NameRoundRobinAndClosest()
    {
        ServiceCommands.AddressText(Service("10.30.30.30", null)).ShouldBe("10.30.30.30 (round robin)");
        ServiceCommands.AddressText(Service("10.30.30.30", "10.30.30.31"))
            .ShouldBe("10.30.30.30 (round robin), 10.30.30.31 (closest)");
    }

    [Fact]
    public void NodeRows_ShowEachNodesSubnet()
    {
        var rows = NodeTables.Rows([Node("n1", "vm-1", subnet: "10.18.0.0/26"), Node("n2", "vm-2")]).ToList();

        var subnet = Array.IndexOf(NodeTables.Headers, "SUBNET");
        rows.Select(r => r[subnet]).ShouldBe(["10.18.0.0/26", "-"]);
    }

    [Fact]
    public void LatencyRows_ResolveNodeIdsToNames_KeepUnknownIds_AndSortBySourceThenPeer()
    {
        var nodes = new[]
        {
            Node("n2", "vm-2", latency: new Dictionary<string, double> { ["n1"] = 0.2504 }),
            Node("n1", "vm-1", latency: new Dictionary<string, double> { ["n2"] = 0.25, ["far-away"] = 12.5 }),
            Node("n3", "vm-3"),
        };

        NodeTables.LatencyRows(nodes).ShouldBe(
        [
            ["vm-1", "far-away", "12.500"],
            ["vm-1", "vm-2", "0.250"],
            ["vm-2", "vm-1", "0.250"],
        ]);
        NodeTables.Latencies(nodes)[1].ShouldBe(new NodeTables.Latency("n1", "vm-1", "n2", "vm-2", 0.25));
    }

    [Theory]
    [InlineData("nodes", "--latency")]
    [InlineData("nodes", "--latency", "--cluster", "edge-1", "--output", "json")]
    public void Parse_NodesWithLatency_IsValid(params string[] args) =>
        CanopyCommand.Build().Parse(args).Errors.ShouldBeEmpty();

    private static ServiceDocument Service(string rrIp, string? closestIp) =>
        new() { MicroserviceId = "s", ApplicationId = "a", RrIp = rrIp, ClosestIp = closestIp };

    private static NodeDocument Node(string id, string name, string? subnet = null, IReadOnlyDictionary<string, double>? latency = null) =>
        new() { Id = id, Name = name, Subnet = subnet, LatencyMs = latency };
}
