using System.Net;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Core.States;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

public class ScaleAndUpdateTests : RootTestBase
{
    [Fact]
    public async Task Scaling_up_adds_instances_and_scaling_down_removes_the_highest_numbers()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        var serviceId = await CreateServiceAsync();

        var up = await ScaleAsync(serviceId, 3);
        up.Instances.ShouldBe(3);
        up.InstanceList.Select(i => i.InstanceNumber).ShouldBe([0, 1, 2]);
        for (var i = 0; i < 3; i++)
        {
            await cluster.NextAsync(LinkMessageTypes.Deploy);
        }

        var down = await ScaleAsync(serviceId, 1);
        down.Instances.ShouldBe(1);
        var undeployed = new[]
        {
            (await cluster.NextAsync(LinkMessageTypes.Undeploy)).Read<UndeployInstance>().InstanceNumber,
            (await cluster.NextAsync(LinkMessageTypes.Undeploy)).Read<UndeployInstance>().InstanceNumber,
        };
        undeployed.Order().ShouldBe([1, 2]);
        foreach (var n in undeployed)
        {
            await cluster.SendAsync(LinkMessageTypes.InstanceStatus,
                new InstanceReport { ServiceId = serviceId, InstanceNumber = n, Status = InstanceStatus.Undeployed });
        }

        var instances = await Eventually.ValueAsync(
            () => Root.GetAsync<List<InstanceDocument>>($"/api/v1/services/{serviceId}/instances"), l => l.Count == 1, "two instances to go");
        instances.Single().InstanceNumber.ShouldBe(0);
    }

    [Fact]
    public async Task Scaling_to_many_deploys_each_number_once_and_takes_every_report_sent_back_to_back()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        await cluster.SendResourcesAsync(vcpus: 1000, memoryMb: 1_000_000);
        var serviceId = await CreateServiceAsync();

        var up = await ScaleAsync(serviceId, 200);

        up.InstanceList.Select(i => i.InstanceNumber).ShouldBe(Enumerable.Range(0, 200));
        var deployed = new List<int>();
        for (var i = 0; i < 200; i++)
        {
            deployed.Add((await cluster.NextAsync(LinkMessageTypes.Deploy)).Read<DeployInstance>().InstanceNumber);
        }

        deployed.Order().ShouldBe(Enumerable.Range(0, 200));

        // Two reports per instance back to back, as a busy cluster sends them: the root applies reports about different
        // instances side by side, and each instance's in order.
        foreach (var status in new[] { InstanceStatus.NodeScheduled, InstanceStatus.Running })
        {
            for (var n = 0; n < 200; n++)
            {
                await cluster.SendAsync(LinkMessageTypes.InstanceStatus,
                    new InstanceReport { ServiceId = serviceId, InstanceNumber = n, Status = status, NodeId = "node-1", NodeName = "worker-1" });
            }
        }

        var instances = await Eventually.ValueAsync(
            () => Root.GetAsync<List<InstanceDocument>>($"/api/v1/services/{serviceId}/instances"),
            l => l.Count(i => i.Status == InstanceStatus.Running) == 200, "all 200 RUNNING");
        instances.Select(i => i.InstanceNumber).Order().ShouldBe(Enumerable.Range(0, 200));
    }

    [Fact]
    public async Task Scaling_unplaced_instances_down_removes_them_at_once()
    {
        var serviceId = await CreateServiceAsync();
        await ScaleAsync(serviceId, 2);

        var down = await ScaleAsync(serviceId, 0);

        down.InstanceList.ShouldBeEmpty();
        down.Instances.ShouldBe(0);
        down.Status.ShouldBe("UNDEPLOYED");
    }

    [Theory]
    [InlineData("""{}""", "instances: required")]
    [InlineData("""{"instances":"many"}""", "instances")]
    [InlineData("""{"instances":-1}""", "instances")]
    [InlineData("""not json""", "")]
    public async Task A_bad_scale_request_is_a_400_and_changes_nothing(string body, string error)
    {
        var serviceId = await CreateServiceAsync();
        await ScaleAsync(serviceId, 1);

        var response = await Root.PutJsonAsync($"/api/v1/services/{serviceId}/scale", body);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        if (error.Length > 0)
        {
            problem.Errors().ShouldContain(e => e.StartsWith(error, StringComparison.Ordinal));
        }

        (await Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}")).InstanceList.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Updating_a_service_replaces_its_running_instances_one_by_one()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        var serviceId = await CreateServiceAsync();
        await ScaleAsync(serviceId, 1);
        var first = (await cluster.NextAsync(LinkMessageTypes.Deploy)).Read<DeployInstance>();
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Running(serviceId, first.InstanceNumber));

        var response = await Root.PutJsonAsync($"/api/service/{serviceId}", """{"memory": 128, "environment": ["MODE=new"]}""");

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadFromJsonAsync<ServiceDocument>(CanopyJson.Options))!.Memory.ShouldBe(128);
        (await cluster.NextAsync(LinkMessageTypes.Undeploy)).Read<UndeployInstance>().InstanceNumber.ShouldBe(first.InstanceNumber);
        var replacement = (await cluster.NextAsync(LinkMessageTypes.Deploy)).Read<DeployInstance>();
        replacement.InstanceNumber.ShouldBe(1);
        replacement.Service.Memory.ShouldBe(128);
        replacement.Service.Environment.ShouldBe(["MODE=new"]);
    }

    [Fact]
    public async Task An_invalid_update_is_a_400_and_changes_nothing()
    {
        var serviceId = await CreateServiceAsync();

        var wrongType = await Root.PutJsonAsync($"/api/service/{serviceId}", """{"memory": "lots"}""");
        var rename = await Root.PutJsonAsync($"/api/service/{serviceId}", """{"microservice_name": "other"}""");

        (await wrongType.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).Errors().ShouldContain(e => e.StartsWith("memory", StringComparison.Ordinal));
        (await rename.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).Errors().ShouldContain(e => e.StartsWith("microservice_name", StringComparison.Ordinal));
        (await Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}")).Memory.ShouldBe(64);
    }

    [Fact]
    public async Task The_openapi_document_marks_the_bearer_scheme()
    {
        var document = await Root.Client.GetStringAsync("/api/docs/v1/swagger.json");

        document.ShouldContain("\"bearer\"");
        document.ShouldContain("/api/application/");
        document.ShouldContain("/api/v1/services/{id}/scale");
        (await Root.Client.GetAsync("/api/docs/index.html")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static InstanceReport Running(string serviceId, int number) => new()
    {
        ServiceId = serviceId,
        InstanceNumber = number,
        Status = InstanceStatus.Running,
        NodeName = "node-a",
    };

    private async Task<ServiceDocument> ScaleAsync(string serviceId, int count)
    {
        var response = await Root.PutJsonAsync($"/api/v1/services/{serviceId}/scale", $$"""{"instances": {{count}}}""");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ServiceDocument>(CanopyJson.Options))!;
    }

    private async Task<string> CreateServiceAsync()
    {
        var response = await Root.PostJsonAsync("/api/application/", Descriptors.ExecHttpd);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single().Microservices.Single();
    }
}
