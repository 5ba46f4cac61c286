using System.Net;
using Canopy.Contracts.Link;
using Canopy.Core.States;
using Canopy.Root.Store;
using Canopy.Root.Tests.Infrastructure;
using static Canopy.Root.Tests.Infrastructure.Workloads;

namespace Canopy.Root.Tests;

public class InstanceEventTests : RootTestBase
{
    [Fact]
    public async Task The_instance_tells_its_story_deploy_running_dead_with_137_running_again()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        var (serviceId, number) = await DeployedOnAsync(Root, cluster);

        await ReportPlacedRunningKilledAsync(cluster, serviceId, number, "vm-2");
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, number, InstanceStatus.Running, "vm-2") with { RestartCount = 1 });

        var detail = await Eventually.ValueAsync(() => DetailAsync(Root, serviceId, number),
            d => d.Events.Count == 6, "six events");

        detail.Events.Select(e => e.Status).ShouldBe([
            InstanceStatus.Requested, InstanceStatus.ClusterScheduled, InstanceStatus.NodeScheduled,
            InstanceStatus.Running, InstanceStatus.Dead, InstanceStatus.Running,
        ]);
        detail.Events.Select(e => e.Detail).ShouldBe([
            "requested", "scheduled on cluster edge-1", "placed on node vm-2 by edge-1",
            "RUNNING", "DEAD: exited with code 137; restarting in 0.5 s", "RUNNING",
        ]);
        detail.Events[0].Cluster.ShouldBeNull();
        detail.Events[1].Cluster.ShouldBe("edge-1");
        detail.Events[4].Node.ShouldBe("vm-2");
        detail.Events.Select(e => e.Time).ShouldBeInOrder();
        detail.Status.ShouldBe(InstanceStatus.Running);
        detail.RestartCount.ShouldBe(1);
        detail.ClusterName.ShouldBe("edge-1");
        detail.NodeName.ShouldBe("vm-2");
        detail.ServiceId.ShouldBe(serviceId);
        detail.JobName.ShouldBe("hello.demo.web.demo");
    }

    [Fact]
    public async Task A_repeated_report_adds_no_event()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        var (serviceId, number) = await DeployedOnAsync(Root, cluster);

        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, number, InstanceStatus.Running));
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, number, InstanceStatus.Running));
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, number, InstanceStatus.Running) with { RestartCount = 0, Pid = 7 });

        var detail = await Eventually.ValueAsync(() => DetailAsync(Root, serviceId, number), d => d.Pid == 7, "the last report");
        detail.Events.Count(e => e.Status == InstanceStatus.Running).ShouldBe(1);
    }

    [Fact]
    public async Task Only_the_last_50_events_are_kept_and_they_go_with_the_instance()
    {
        var serviceId = await CreateServiceAsync(Root);
        var number = await AddInstanceAsync(Root, serviceId);
        var store = Root.Service<IRootStore>();
        for (var i = 0; i < 60; i++)
        {
            await store.UpdateInstanceAsync(serviceId, number,
                current => current with { Deleting = true, Status = InstanceStatus.NoActiveClusterWithCapacity, StatusDetail = $"attempt {i}" }, default);
        }

        var events = await store.ListInstanceEventsAsync(serviceId, number, default);
        events.Count.ShouldBe(50);
        events[^1].Detail.ShouldBe("NoActiveClusterWithCapacity: attempt 59");
        events[0].Detail.ShouldBe("NoActiveClusterWithCapacity: attempt 10");

        await store.RemoveInstanceAsync(serviceId, number, default);
        (await store.ListInstanceEventsAsync(serviceId, number, default)).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_unknown_instance_number_is_a_404()
    {
        var serviceId = await CreateServiceAsync(Root);

        await (await Root.Client.GetAsync($"/api/v1/services/{serviceId}/instances/9")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }
}
