using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Core.States;
using Canopy.Root.Tests.Infrastructure;
using static Canopy.Root.Tests.Infrastructure.Workloads;

namespace Canopy.Root.Tests;

public class ClusterFailoverTests : RootTestBase
{
    private protected override void Tweak(RootOptions options) => options.ClusterGracePeriod = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task A_dead_clusters_instance_moves_to_the_other_cluster_and_the_returning_cluster_drops_its_copy()
    {
        var (a, serviceId, number) = await RunningOnAsync(Root, "edge-a");
        await using var b = await FakeCluster.ConnectAsync(Root, "edge-b");

        await a.CloseAsync();
        await a.DisposeAsync();

        var deploy = (await b.NextAsync(LinkMessageTypes.Deploy)).Read<DeployInstance>();
        deploy.Service.ServiceId.ShouldBe(serviceId);
        deploy.InstanceNumber.ShouldBe(number);
        await b.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, number, InstanceStatus.Running, "b-1"));
        await Eventually.ValueAsync(() => DetailAsync(Root, serviceId, number), d => d.NodeName == "b-1", "running on edge-b");

        // edge-a comes back still running its copy: it must drop it; the one on edge-b stays the instance.
        await using var back = await FakeCluster.ConnectAsync(Root, "edge-a", Report(serviceId, number, InstanceStatus.Running, "a-1"));
        var undeploy = (await back.NextAsync(LinkMessageTypes.Undeploy)).Read<UndeployInstance>();
        undeploy.ServiceId.ShouldBe(serviceId);
        undeploy.InstanceNumber.ShouldBe(number);
        await back.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, number, InstanceStatus.Undeployed, "a-1"));

        var service = await Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}");
        var instance = service.InstanceList.ShouldHaveSingleItem();
        instance.ClusterName.ShouldBe("edge-b");
        instance.Status.ShouldBe(InstanceStatus.Running);
        service.Instances.ShouldBe(1);
        var events = (await DetailAsync(Root, serviceId, number)).Events;
        events.ShouldContain(e => e.Status == InstanceStatus.Requested && e.Detail.StartsWith("rescheduled: cluster edge-a unreachable for "));
        events[^2].Detail.ShouldBe("scheduled on cluster edge-b");
    }

    [Fact]
    public async Task With_no_other_cluster_the_moved_instance_waits_and_is_kept_by_its_cluster_when_it_returns()
    {
        var (a, serviceId, number) = await RunningOnAsync(Root, "edge-a");

        await a.CloseAsync();
        await a.DisposeAsync();
        await Eventually.ValueAsync(() => DetailAsync(Root, serviceId, number),
            d => d.Status == InstanceStatus.NoActiveClusterWithCapacity, "the move to find no cluster");

        await using var back = await FakeCluster.ConnectAsync(Root, "edge-a", Report(serviceId, number, InstanceStatus.Running, "a-1"));

        var detail = await Eventually.ValueAsync(() => DetailAsync(Root, serviceId, number),
            d => d.Status == InstanceStatus.Running, "the returning cluster's copy to be kept");
        detail.ClusterName.ShouldBe("edge-a");
        await Should.ThrowAsync<TimeoutException>(() => back.NextAsync(LinkMessageTypes.Undeploy, TimeSpan.FromSeconds(1)));
        (await Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}")).InstanceList.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_dead_instance_that_will_not_be_restarted_stays_where_it_ended()
    {
        var a = await FakeCluster.ConnectAsync(Root, "edge-a");
        var created = await Root.PostJsonAsync("/api/application/", Descriptors.WithMicroservice(ms => ms["restart_policy"] = "never"));
        created.EnsureSuccessStatusCode();
        var serviceId = (await created.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single().Microservices.Single();
        var number = await AddInstanceAsync(Root, serviceId);
        await a.NextAsync(LinkMessageTypes.Deploy);
        await a.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, number, InstanceStatus.Dead, "a-1", "exited with code 1") with { ExitCode = 1 });
        await Eventually.ValueAsync(() => DetailAsync(Root, serviceId, number), d => d.Status == InstanceStatus.Dead, "dead");
        await using var b = await FakeCluster.ConnectAsync(Root, "edge-b");

        await a.CloseAsync();
        await a.DisposeAsync();

        await Should.ThrowAsync<TimeoutException>(() => b.NextAsync(LinkMessageTypes.Deploy, TimeSpan.FromSeconds(3)));
        var detail = await DetailAsync(Root, serviceId, number);
        detail.Status.ShouldBe(InstanceStatus.Dead);
        detail.ClusterName.ShouldBe("edge-a");
    }

    [Fact]
    public async Task An_application_being_deleted_on_a_dead_cluster_goes_after_the_grace_period()
    {
        var a = await FakeCluster.ConnectAsync(Root, "edge-a");
        var serviceId = await CreateServiceAsync(Root);
        await AddInstanceAsync(Root, serviceId);
        await a.NextAsync(LinkMessageTypes.Deploy);
        var applicationId = (await Root.GetAsync<List<ApplicationDocument>>("/api/applications/")).Single().ApplicationId;
        (await Root.Client.DeleteAsync($"/api/application/{applicationId}")).EnsureSuccessStatusCode();
        await a.NextAsync(LinkMessageTypes.Undeploy);

        await a.CloseAsync();
        await a.DisposeAsync();

        await Eventually.ValueAsync(() => Root.GetAsync<List<ApplicationDocument>>("/api/applications/"), l => l.Count == 0, "the application to go");
    }
}

public sealed class ClusterGracePeriodTests : RootTestBase
{
    private protected override void Tweak(RootOptions options) => options.ClusterGracePeriod = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Within_the_grace_period_nothing_moves_and_the_returning_cluster_keeps_its_instance()
    {
        var (a, serviceId, number) = await RunningOnAsync(Root, "edge-a");
        await using var b = await FakeCluster.ConnectAsync(Root, "edge-b");

        await a.CloseAsync();
        await a.DisposeAsync();

        await Should.ThrowAsync<TimeoutException>(() => b.NextAsync(LinkMessageTypes.Deploy, TimeSpan.FromSeconds(3)));
        var waiting = await DetailAsync(Root, serviceId, number);
        waiting.ClusterName.ShouldBe("edge-a");
        waiting.Status.ShouldBe(InstanceStatus.Running);

        await using var back = await FakeCluster.ConnectAsync(Root, "edge-a", Report(serviceId, number, InstanceStatus.Running, "a-1"));
        await Should.ThrowAsync<TimeoutException>(() => back.NextAsync(LinkMessageTypes.Undeploy, TimeSpan.FromSeconds(1)));
        (await DetailAsync(Root, serviceId, number)).ClusterName.ShouldBe("edge-a");
    }
}
