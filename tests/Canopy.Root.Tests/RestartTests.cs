using System.Net;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

public class RestartTests : RootTestBase
{
    [Fact]
    public async Task A_restart_keeps_users_applications_services_and_instances_without_duplicates()
    {
        (await Root.Client.PostAsJsonAsync("/api/auth/register", new { name = "bob", password = "pw-bob-long-123" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var created = await Root.PostJsonAsync("/api/application/", Descriptors.ExecHttpd);
        var application = (await created.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single();
        var serviceId = application.Microservices.Single();
        (await Root.Client.PostAsync($"/api/service/{serviceId}/instance", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Root.Client.PostAsync($"/api/service/{serviceId}/instance", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var before = await Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}");

        await RestartAsync();

        (await Root.GetAsync<List<UserDocument>>("/api/users/")).Select(u => u.Name).Order().ShouldBe(["Admin", "bob"]);
        (await Root.GetAsync<List<ApplicationDocument>>("/api/applications/")).ShouldHaveSingleItem().ApplicationId.ShouldBe(application.ApplicationId);
        (await Root.GetAsync<List<ServiceDocument>>($"/api/services/{application.ApplicationId}")).ShouldHaveSingleItem();
        var after = await Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}");
        after.InstanceList.Select(i => i.InstanceNumber).ShouldBe(before.InstanceList.Select(i => i.InstanceNumber));
        after.Addresses!.RrIp.ShouldBe(before.Addresses!.RrIp);

        // Numbers are never reused, across restarts too.
        var third = (await (await Root.Client.PostAsync($"/api/service/{serviceId}/instance", null))
            .Content.ReadFromJsonAsync<InstanceAddedResponse>(CanopyJson.Options))!;
        third.InstanceNumber.ShouldBe(2);
    }

    [Fact]
    public async Task After_a_restart_pending_instances_are_placed_when_a_cluster_links()
    {
        var created = await Root.PostJsonAsync("/api/application/", Descriptors.ExecHttpd);
        var serviceId = (await created.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single().Microservices.Single();
        (await Root.Client.PostAsync($"/api/service/{serviceId}/instance", null)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await RestartAsync();
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");

        (await cluster.NextAsync(Contracts.Link.LinkMessageTypes.Deploy)).Read<Contracts.Link.DeployInstance>().Service.ServiceId.ShouldBe(serviceId);
        await Eventually.ValueAsync(() => Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}"),
            s => s.InstanceList.Single().Status == InstanceStatus.ClusterScheduled, "the instance to be placed");
    }
}
