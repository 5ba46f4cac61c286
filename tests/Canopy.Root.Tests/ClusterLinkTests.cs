using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Core.States;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

public class ClusterLinkTests : RootTestBase
{
    [Fact]
    public async Task Registration_with_a_wrong_or_missing_join_token_is_a_401()
    {
        var wrong = await Root.Client.PostAsJsonAsync("/api/v1/clusters/register", new { cluster_name = "c1", join_token = "nope" });
        var missing = await Root.Client.PostAsJsonAsync("/api/v1/clusters/register", new { cluster_name = "c1" });

        (await wrong.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).Detail().ShouldStartWith("invalid cluster join token");
        (await missing.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).Detail().ShouldStartWith("invalid cluster join token");
    }

    [Fact]
    public async Task Registering_the_same_name_again_keeps_the_id_and_changes_the_credential()
    {
        var first = await FakeCluster.RegisterAsync(Root, "edge-1");
        var second = await FakeCluster.RegisterAsync(Root, "edge-1");

        second.Id.ShouldBe(first.Id);
        second.Credential.ShouldNotBe(first.Credential);
        (await Root.GetAsync<List<ClusterDocument>>("/api/clusters/")).ShouldHaveSingleItem().ClusterName.ShouldBe("edge-1");
    }

    [Fact]
    public async Task The_link_refuses_a_missing_or_old_credential()
    {
        var first = await FakeCluster.RegisterAsync(Root, "edge-1");
        await FakeCluster.RegisterAsync(Root, "edge-1");

        await Should.ThrowAsync<InvalidOperationException>(() => FakeCluster.OpenLinkAsync(Root, first.Id, null));
        await Should.ThrowAsync<InvalidOperationException>(() => FakeCluster.OpenLinkAsync(Root, first.Id, first.Credential));
    }

    [Fact]
    public async Task A_linked_cluster_with_resources_is_active_with_its_aggregate()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");

        var active = await Eventually.ValueAsync(
            () => Root.GetAsync<List<ClusterDocument>>("/api/clusters/active"), l => l.Count == 1, "the cluster to be active");

        var document = active[0];
        document.ClusterName.ShouldBe("edge-1");
        document.TotalCpuCores.ShouldBe(8);
        document.MemoryInMb.ShouldBe(8192);
        document.ActiveNodes.ShouldBe(1);
        document.ClusterLocation.ShouldBe("48.1,11.6");
        (await Root.GetAsync<ClusterDocument>($"/api/v1/clusters/{cluster.Id}")).Active.ShouldBeTrue();
    }

    [Fact]
    public async Task Losing_the_link_makes_the_cluster_inactive_at_once()
    {
        var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        await Eventually.ValueAsync(() => Root.GetAsync<List<ClusterDocument>>("/api/clusters/active"), l => l.Count == 1, "active");

        await cluster.CloseAsync();
        await cluster.DisposeAsync();

        await Eventually.ValueAsync(() => Root.GetAsync<List<ClusterDocument>>("/api/clusters/active"), l => l.Count == 0, "inactive");
    }

    [Fact]
    public async Task A_newer_link_of_the_same_cluster_replaces_the_older_one()
    {
        await using var first = await FakeCluster.ConnectAsync(Root, "edge-1");
        await using var second = await FakeCluster.ConnectAgainAsync(Root, first);

        await first.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        first.CloseDescription.ShouldNotBeNull().ShouldContain("replaced");

        var serviceId = await CreateServiceAsync();
        await AddInstanceAsync(serviceId);
        (await second.NextAsync(LinkMessageTypes.Deploy)).Read<DeployInstance>().Service.ServiceId.ShouldBe(serviceId);
    }

    [Fact]
    public async Task Stopping_the_root_closes_the_links_with_a_close_frame()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        await Eventually.ValueAsync(() => Root.GetAsync<List<ClusterDocument>>("/api/clusters/active"), l => l.Count == 1, "active");

        await Root.App.StopAsync();

        await cluster.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        cluster.CloseDescription.ShouldBe("root shutting down");
    }

    [Fact]
    public async Task A_requested_instance_is_deployed_to_the_cluster_and_its_reports_show_in_the_service()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        var serviceId = await CreateServiceAsync();

        var added = await AddInstanceAsync(serviceId);

        var deploy = (await cluster.NextAsync(LinkMessageTypes.Deploy)).Read<DeployInstance>();
        deploy.InstanceNumber.ShouldBe(added.InstanceNumber);
        deploy.Service.ServiceId.ShouldBe(serviceId);
        deploy.Service.Virtualization.ShouldBe("exec");
        deploy.Service.JobName.ShouldBe("hello.demo.web.demo");
        deploy.Service.RrIp.ShouldNotBeNull().ShouldStartWith("10.30.");
        var scheduled = await Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}");
        scheduled.InstanceList.ShouldHaveSingleItem().Status.ShouldBe(InstanceStatus.ClusterScheduled);

        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, added.InstanceNumber, InstanceStatus.Running));

        var running = await Eventually.ValueAsync(
            () => Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}"), s => s.Status == "RUNNING", "the service to run");
        var instance = running.InstanceList.ShouldHaveSingleItem();
        instance.ClusterName.ShouldBe("edge-1");
        instance.ClusterId.ShouldBe(cluster.Id);
        instance.NodeName.ShouldBe("node-a");
        instance.HostIp.ShouldBe("192.168.1.5");

        await cluster.SendAsync(LinkMessageTypes.InstanceMetrics, new InstanceMetrics(
            [Report(serviceId, added.InstanceNumber, InstanceStatus.Running) with { CpuPercent = 42, Memory = 12.5, MemoryPercent = 3 }]));
        var measured = await Eventually.ValueAsync(
            () => Root.GetAsync<List<ServiceInstanceDocument>>("/api/v1/instances"), l => l.Single().Cpu == 42, "metrics");
        measured.Single().Memory.ShouldBe(12.5);
        measured.Single().JobName.ShouldBe("hello.demo.web.demo");
        measured.Single().ServiceId.ShouldBe(serviceId);
    }

    [Fact]
    public async Task Without_a_cluster_the_instance_ends_in_NoActiveClusterWithCapacity_with_a_detail()
    {
        var serviceId = await CreateServiceAsync();

        await AddInstanceAsync(serviceId);

        var service = await Eventually.ValueAsync(
            () => Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}"),
            s => s.InstanceList.SingleOrDefault()?.Status == InstanceStatus.NoActiveClusterWithCapacity,
            "the placement to fail");
        service.InstanceList[0].StatusDetail.ShouldNotBeNullOrWhiteSpace();
        service.Status.ShouldBe("NoActiveClusterWithCapacity");
    }

    [Fact]
    public async Task A_failed_placement_is_retried_when_a_cluster_arrives()
    {
        var serviceId = await CreateServiceAsync();
        await AddInstanceAsync(serviceId);
        await Eventually.ValueAsync(
            () => Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}"),
            s => s.InstanceList.SingleOrDefault()?.Status == InstanceStatus.NoActiveClusterWithCapacity, "the placement to fail");

        await using var cluster = await FakeCluster.ConnectAsync(Root, "late");

        (await cluster.NextAsync(LinkMessageTypes.Deploy)).Read<DeployInstance>().Service.ServiceId.ShouldBe(serviceId);
    }

    [Fact]
    public async Task Deleting_the_application_undeploys_and_the_records_go_when_the_cluster_confirms()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        var serviceId = await CreateServiceAsync();
        var added = await AddInstanceAsync(serviceId);
        await cluster.NextAsync(LinkMessageTypes.Deploy);
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, added.InstanceNumber, InstanceStatus.Running));
        var applicationId = (await Root.GetAsync<List<ApplicationDocument>>("/api/applications/")).Single().ApplicationId;

        (await Root.Client.DeleteAsync($"/api/application/{applicationId}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var undeploy = (await cluster.NextAsync(LinkMessageTypes.Undeploy)).Read<UndeployInstance>();
        undeploy.ServiceId.ShouldBe(serviceId);
        undeploy.InstanceNumber.ShouldBe(added.InstanceNumber);
        (await Root.GetAsync<List<ApplicationDocument>>("/api/applications/")).ShouldHaveSingleItem("kept until the cluster confirms");

        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, added.InstanceNumber, InstanceStatus.Undeployed));

        await Eventually.ValueAsync(() => Root.GetAsync<List<ApplicationDocument>>("/api/applications/"), l => l.Count == 0, "the application to go");
        await (await Root.Client.GetAsync($"/api/service/{serviceId}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Removing_one_instance_undeploys_it_and_keeps_the_service()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        var serviceId = await CreateServiceAsync();
        var added = await AddInstanceAsync(serviceId);
        await cluster.NextAsync(LinkMessageTypes.Deploy);

        (await Root.Client.DeleteAsync($"/api/service/{serviceId}/instance/{added.InstanceNumber}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await cluster.NextAsync(LinkMessageTypes.Undeploy)).Read<UndeployInstance>().InstanceNumber.ShouldBe(added.InstanceNumber);
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, added.InstanceNumber, InstanceStatus.Undeployed));

        var service = await Eventually.ValueAsync(
            () => Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}"), s => s.InstanceList.Count == 0, "the instance to go");
        service.Instances.ShouldBe(0);
    }

    [Fact]
    public async Task Hello_reconciles_undeploying_strays_and_redeploying_what_is_missing()
    {
        var serviceId = await CreateServiceAsync();
        var added = await AddInstanceAsync(serviceId);
        var registration = await FakeCluster.RegisterAsync(Root, "edge-1");
        await using (var first = await FakeCluster.ConnectAsync(Root, "edge-1"))
        {
            await first.NextAsync(LinkMessageTypes.Deploy);
            await first.CloseAsync();
        }

        // Back again, it reports an instance the root never asked for and lacks the one it was given.
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1", Report("0123456789abcdef01234567", 7, InstanceStatus.Running));

        (await cluster.NextAsync(LinkMessageTypes.Undeploy)).Read<UndeployInstance>().ServiceId.ShouldBe("0123456789abcdef01234567");
        var redeploy = (await cluster.NextAsync(LinkMessageTypes.Deploy)).Read<DeployInstance>();
        redeploy.Service.ServiceId.ShouldBe(serviceId);
        redeploy.InstanceNumber.ShouldBe(added.InstanceNumber);
        registration.Id.ShouldBe(cluster.Id);
    }

    [Fact]
    public async Task A_status_the_table_forbids_is_refused()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        var serviceId = await CreateServiceAsync();
        var added = await AddInstanceAsync(serviceId);
        await cluster.NextAsync(LinkMessageTypes.Deploy);
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, added.InstanceNumber, InstanceStatus.Completed));
        await Eventually.ValueAsync(() => Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}"), s => s.Status == "COMPLETED", "completed");

        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, added.InstanceNumber, InstanceStatus.Running));
        await cluster.SendAsync(LinkMessageTypes.InstanceMetrics, new InstanceMetrics(
            [Report(serviceId, added.InstanceNumber, InstanceStatus.Completed) with { CpuPercent = 1 }]));

        // The metrics message behind the refused report has been handled once its value shows; the status must not have moved.
        var service = await Eventually.ValueAsync(
            () => Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}"), s => s.InstanceList[0].Cpu == 1, "metrics");
        service.InstanceList[0].Status.ShouldBe(InstanceStatus.Completed);
    }

    [Fact]
    public async Task Logs_are_asked_of_the_instances_cluster_over_the_link()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        cluster.Answer = request => request.Kind == LinkRequestKinds.Logs
            ? new LinkResponse(request.RequestId, true, JsonSerializer.SerializeToElement(new
            {
                text = $"tail={request.Args!["tail"]} instance={request.Args["instance_number"]} service={request.Args["service_id"]}",
            }))
            : null;
        var serviceId = await CreateServiceAsync();
        var added = await AddInstanceAsync(serviceId);
        await cluster.NextAsync(LinkMessageTypes.Deploy);

        var logs = await Root.GetAsync<LogsResponse>($"/api/v1/services/{serviceId}/logs?instance={added.InstanceNumber}&tail=50");

        logs.ServiceId.ShouldBe(serviceId);
        logs.Instances.ShouldHaveSingleItem().Text.ShouldBe($"tail=50 instance={added.InstanceNumber} service={serviceId}");
    }

    [Fact]
    public async Task Logs_of_a_silent_cluster_say_it_did_not_answer()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        var serviceId = await CreateServiceAsync();
        await AddInstanceAsync(serviceId);
        await cluster.NextAsync(LinkMessageTypes.Deploy);

        var logs = await Root.GetAsync<LogsResponse>($"/api/v1/services/{serviceId}/logs");

        logs.Instances.ShouldHaveSingleItem().Error.ShouldNotBeNull().ShouldContain("did not answer");
    }

    [Fact]
    public async Task Nodes_are_merged_from_the_clusters_with_their_cluster_name()
    {
        await using var a = await FakeCluster.ConnectAsync(Root, "edge-a");
        await using var b = await FakeCluster.ConnectAsync(Root, "edge-b");
        a.Answer = r => NodesAnswer(r, "a-1", "a-2");
        b.Answer = r => NodesAnswer(r, "b-1");

        var all = await Root.GetAsync<List<NodeDocument>>("/api/v1/nodes");
        var onlyB = await Root.GetAsync<List<NodeDocument>>("/api/v1/nodes?cluster=edge-b");

        all.Select(n => $"{n.ClusterName}/{n.Name}").Order().ShouldBe(["edge-a/a-1", "edge-a/a-2", "edge-b/b-1"]);
        onlyB.ShouldHaveSingleItem().ClusterId.ShouldBe(b.Id);
        await (await Root.Client.GetAsync("/api/v1/nodes?cluster=nowhere")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    private static LinkResponse? NodesAnswer(LinkRequest request, params string[] names) =>
        request.Kind == LinkRequestKinds.Nodes
            ? new LinkResponse(request.RequestId, true, JsonSerializer.SerializeToElement(
                names.Select(n => new NodeDocument { Id = $"id-{n}", Name = n, Active = true, Vcpus = 2 }).ToList(), CanopyJson.Options))
            : null;

    private static InstanceReport Report(string serviceId, int number, InstanceStatus status) => new()
    {
        ServiceId = serviceId,
        InstanceNumber = number,
        Status = status,
        StatusDetail = $"reported {status}",
        NodeId = "n-1",
        NodeName = "node-a",
        HostIp = "192.168.1.5",
        HostPort = "18080",
        Timestamp = DateTimeOffset.UtcNow,
    };

    private async Task<string> CreateServiceAsync()
    {
        var response = await Root.PostJsonAsync("/api/application/", Descriptors.ExecHttpd);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single().Microservices.Single();
    }

    private async Task<InstanceAddedResponse> AddInstanceAsync(string serviceId)
    {
        var response = await Root.Client.PostAsync($"/api/service/{serviceId}/instance", null);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var added = (await response.Content.ReadFromJsonAsync<InstanceAddedResponse>(CanopyJson.Options))!;
        added.Message.ShouldBe("ok");
        return added;
    }
}
