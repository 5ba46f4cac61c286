using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Core.States;
using Canopy.NodeEngine.ClusterLink;

namespace Canopy.NodeEngine.Tests.Units;

/// <summary>What makes the node send <c>information</c> or <c>jobs/resources</c> between refreshes.</summary>
public sealed class ReportChangesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static readonly NodeInformation Idle = new()
    {
        CpuPercent = 3,
        Vcpus = 2,
        Memory = 3000,
        MemoryTotal = 4000,
        MemoryPercent = 25,
        Architecture = "amd64",
        Virtualization = ["exec"],
        Ip = "10.0.0.2",
        Timestamp = T0,
    };

    [Fact]
    public void Information_FirstIsDue_ThenOnlyAMaterialChangeOrTheRefresh()
    {
        var changes = new ReportChanges(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1));
        changes.InformationDue(Idle, T0).ShouldBeTrue("nothing was sent yet");
        changes.InformationSent(Idle, T0);

        changes.InformationDue(Idle with { CpuPercent = 9, Memory = 2900, Timestamp = T0.AddSeconds(2) }, T0.AddSeconds(2))
            .ShouldBeFalse("CPU jitter of 6 points and 100 MB of 4 GB are not material");
        changes.InformationDue(Idle with { CpuPercent = 14 }, T0.AddSeconds(2)).ShouldBeTrue("11 points of CPU");
        changes.InformationDue(Idle with { Memory = 2790 }, T0.AddSeconds(2)).ShouldBeTrue("210 MB is over 5 % of 4 GB");
        changes.InformationDue(Idle, T0.AddMinutes(5)).ShouldBeTrue("the refresh interval passed");
    }

    [Fact]
    public void Information_AnyChangeTheSchedulerOrNetworkUses_IsDue()
    {
        ReportChanges.Differs(Idle, Idle with { Virtualization = ["exec", "container"] }).ShouldBeTrue();
        ReportChanges.Differs(Idle, Idle with { Ip = "10.0.0.3" }).ShouldBeTrue();
        ReportChanges.Differs(Idle, Idle with { UnavailableRuntimes = new Dictionary<string, string> { ["container"] = "no containerd" } }).ShouldBeTrue();
        ReportChanges.Differs(Idle, Idle with { PrivilegedRuntimes = ["exec"] }).ShouldBeTrue();
        ReportChanges.Differs(Idle with { Latency = new Dictionary<string, double> { ["n2"] = 10 } }, Idle with { Latency = new Dictionary<string, double> { ["n2"] = 11 } })
            .ShouldBeFalse("10 % of a latency is noise");
        ReportChanges.Differs(Idle with { Latency = new Dictionary<string, double> { ["n2"] = 10 } }, Idle with { Latency = new Dictionary<string, double> { ["n2"] = 20 } })
            .ShouldBeTrue();
        ReportChanges.Differs(Idle, Idle with { Latency = new Dictionary<string, double> { ["n2"] = 1 } }).ShouldBeTrue("a new peer");
        ReportChanges.Differs(Idle, Idle with { Timestamp = T0.AddSeconds(30), MemoryPercent = 27 }).ShouldBeFalse("the time alone is no news");
    }

    [Fact]
    public void Inventory_StateChangesAndMaterialMetrics_AreDue_JitterIsNot()
    {
        var running = new InstanceReport { ServiceId = "s1", InstanceNumber = 0, Status = InstanceStatus.Running, Pid = 10, CpuPercent = 1, Memory = 40 };
        IReadOnlyList<InstanceReport> before = [running];

        ReportChanges.Differs(before, [running with { CpuPercent = 4, Memory = 43, Timestamp = T0 }]).ShouldBeFalse();
        ReportChanges.Differs(before, [running with { CpuPercent = 15 }]).ShouldBeTrue("14 points of CPU");
        ReportChanges.Differs(before, [running with { Memory = 60 }]).ShouldBeTrue("20 MB more");
        ReportChanges.Differs(before, [running with { Status = InstanceStatus.Failed }]).ShouldBeTrue();
        ReportChanges.Differs(before, [running with { RestartCount = 1, Pid = 11 }]).ShouldBeTrue();
        ReportChanges.Differs(before, [running, running with { InstanceNumber = 1 }]).ShouldBeTrue("a new instance");
        ReportChanges.Differs(before, [running with { InstanceNumber = 1 }]).ShouldBeTrue("another instance");
        ReportChanges.Differs([running with { Memory = null }], [running]).ShouldBeTrue("the first metrics");
        ReportChanges.Differs([], []).ShouldBeFalse("idle stays idle");
    }

    [Fact]
    public void Inventory_EmptyIsSentOnlyAtTheRefresh()
    {
        var changes = new ReportChanges(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1));
        changes.InventoryDue([], T0).ShouldBeTrue("nothing was sent yet");
        changes.InventorySent([], T0);
        changes.InventoryDue([], T0.AddSeconds(58)).ShouldBeFalse();
        changes.InventoryDue([], T0.AddMinutes(1)).ShouldBeTrue();
    }
}
