using System.Net;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Root.Store;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

/// <summary>
/// Many clients deploying at once (their writes share commits, adding an instance is not serialized behind the other
/// deployment changes): every service still gets its own address and exactly one instance, sent to one cluster.
/// </summary>
public class ConcurrentDeployTests : RootTestBase
{
    private const int Services = 24;

    [Fact]
    public async Task Services_deployed_by_many_clients_at_once_each_get_an_address_and_one_instance_sent_to_a_cluster()
    {
        await using var first = await FakeCluster.ConnectAsync(Root, "edge-1");
        await using var second = await FakeCluster.ConnectAsync(Root, "edge-2");
        await Eventually.ValueAsync(() => Root.GetAsync<List<ClusterDocument>>("/api/clusters/active"), l => l.Count == 2, "both clusters active");

        var ids = await Task.WhenAll(Enumerable.Range(0, Services).Select(i => Task.Run(() => DeployAsync($"many{i}"))));

        var instances = await Eventually.ValueAsync(() => Root.GetAsync<List<ServiceInstanceDocument>>("/api/v1/instances"),
            l => l.Count == Services && l.All(i => i.Status == InstanceStatus.ClusterScheduled), "every instance placed on a cluster");
        instances.Select(i => i.ServiceId).Order().ShouldBe(ids.Order());
        instances.ShouldAllBe(i => i.InstanceNumber == 0 && (i.ClusterName == "edge-1" || i.ClusterName == "edge-2"));
        var addresses = await Task.WhenAll(ids.Select(async id => (await Root.GetAsync<ServiceDocument>($"/api/service/{id}")).RrIp));
        addresses.ShouldAllBe(a => a != null);
        addresses.Distinct().Count().ShouldBe(Services);
    }

    [Fact]
    public async Task The_store_tells_whether_an_instance_waits_for_placement()
    {
        var store = Root.Service<IRootStore>();
        var waiting = new[] { InstanceStatus.Requested, InstanceStatus.NoActiveClusterWithCapacity };
        (await store.AnyInstanceInAsync(waiting, CancellationToken.None)).ShouldBeFalse();

        var id = await DeployAsync("waiting");

        // No cluster: the instance waits, REQUESTED or refused for now.
        await Eventually.ValueAsync(() => store.AnyInstanceInAsync(waiting, CancellationToken.None), any => any, "an instance waiting");
        (await store.AnyInstanceInAsync([InstanceStatus.Running], CancellationToken.None)).ShouldBeFalse();
        (await store.ListServiceIpsAsync(CancellationToken.None)).ShouldHaveSingleItem().ServiceId.ShouldBe(id);
    }

    private async Task<string> DeployAsync(string name)
    {
        var created = await Root.PostJsonAsync("/api/application/", Descriptors.WithMicroservice(_ => { }, name));
        created.StatusCode.ShouldBe(HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single(a => a.ApplicationName == name).Microservices.Single();
        var added = await Root.Client.PostAsync($"/api/service/{id}/instance", null);
        added.StatusCode.ShouldBe(HttpStatusCode.OK, await added.Content.ReadAsStringAsync());
        return id;
    }
}
