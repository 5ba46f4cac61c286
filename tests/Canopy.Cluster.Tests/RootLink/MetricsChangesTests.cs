using Canopy.Cluster.RootLink;
using Canopy.Contracts;

namespace Canopy.Cluster.Tests.RootLink;

/// <summary>Instance metrics to the root: only what changed since the last send, and everything at each refresh.</summary>
public sealed class MetricsChangesTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Refresh = TimeSpan.FromMinutes(5);

    [Fact]
    public void The_first_look_sends_all_then_only_changed_or_new_instances()
    {
        var changes = new MetricsChanges(Refresh);
        var a = Report("a", cpu: 10);
        var b = Report("b", cpu: 20);

        changes.Select([a, b], Start).Count.ShouldBe(2);
        changes.Select([a, b], Start.AddSeconds(2)).ShouldBeEmpty();
        changes.Select([a, b with { RestartCount = 1 }, Report("c", cpu: 0)], Start.AddSeconds(4)).Select(r => r.ServiceId)
            .ShouldBe(["b", "c"]);
        changes.Select([a with { Memory = 1e6 }, b with { RestartCount = 1 }], Start.AddSeconds(6)).ShouldHaveSingleItem().ServiceId.ShouldBe("a");
    }

    [Fact]
    public void Every_refresh_sends_all_again_and_a_returning_instance_counts_as_new()
    {
        var changes = new MetricsChanges(Refresh);
        var a = Report("a", cpu: 10);
        changes.Select([a], Start);
        changes.Select([], Start.AddSeconds(2)).ShouldBeEmpty();

        changes.Select([a], Start.AddSeconds(4)).ShouldHaveSingleItem();
        changes.Select([a], Start + Refresh).ShouldHaveSingleItem();
        changes.Select([a], Start + Refresh + TimeSpan.FromSeconds(2)).ShouldBeEmpty();
    }

    private static InstanceReport Report(string service, double cpu) =>
        new() { ServiceId = service, InstanceNumber = 0, CpuPercent = cpu, Memory = 5e6, MemoryPercent = 1 };
}
