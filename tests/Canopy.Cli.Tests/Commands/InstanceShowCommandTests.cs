using Canopy.Cli.Commands;
using Canopy.Contracts.Api;
using Canopy.Core.States;

namespace Canopy.Cli.Tests.Commands;

public sealed class InstanceShowCommandTests
{
    private static readonly InstanceDetailDocument Detail = new()
    {
        ServiceId = "0123456789abcdef01234567",
        JobName = "hello.demo.web.demo",
        InstanceNumber = 2,
        Status = InstanceStatus.Running,
        ClusterName = "edge-1",
        NodeName = "vm-2",
        HostIp = "10.0.0.5",
        HostPort = 18082,
        RestartCount = 1,
        ExitCode = 137,
        Events =
        [
            new() { Time = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), Status = InstanceStatus.ClusterScheduled, Detail = "scheduled on cluster edge-1", Cluster = "edge-1" },
            new() { Time = new DateTimeOffset(2026, 1, 2, 3, 4, 9, TimeSpan.Zero), Status = InstanceStatus.Dead, Detail = "DEAD: exited with code 137; restarting in 0.5 s", Cluster = "edge-1", Node = "vm-2" },
        ],
    };

    [Fact]
    public async Task Help_ExitsZero() =>
        (await CanopyCommand.Build().Parse(["instance", "show", "--help"]).InvokeAsync()).ShouldBe(0);

    [Fact]
    public void Parse_WithoutNumber_IsAnError() =>
        CanopyCommand.Build().Parse(["instance", "show", "web"]).Errors.ShouldNotBeEmpty();

    [Fact]
    public void DetailRows_ShowPlacementRestartsAndExitCode()
    {
        var rows = InstanceShowCommand.DetailRows(Detail).ToDictionary(r => r[0], r => r[1]);

        rows["status"].ShouldBe("RUNNING");
        rows["cluster"].ShouldBe("edge-1");
        rows["address"].ShouldBe("10.0.0.5:18082");
        rows["restarts"].ShouldBe("1");
        rows["exit code"].ShouldBe("137");
        rows["detail"].ShouldBe("-");
    }

    [Fact]
    public void EventRows_AreInOrderWithTheirSentences()
    {
        var rows = InstanceShowCommand.EventRows(Detail).ToList();

        rows.Select(r => r[1]).ShouldBe(["CLUSTER_SCHEDULED", "DEAD"]);
        rows[0].ShouldBe(["2026-01-02 03:04:05", "CLUSTER_SCHEDULED", "edge-1", "-", "scheduled on cluster edge-1"]);
        rows[1][4].ShouldBe("DEAD: exited with code 137; restarting in 0.5 s");
    }
}
