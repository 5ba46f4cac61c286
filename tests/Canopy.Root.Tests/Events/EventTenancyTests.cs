using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Root.Store;
using Canopy.Root.Tests.Infrastructure;
using Canopy.Testing;

namespace Canopy.Root.Tests.Events;

/// <summary>A user sees the events of their organization's workloads; node and cluster events need a role that sees infrastructure.</summary>
public class EventTenancyTests : RootTestBase
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Each_organization_sees_its_own_workload_events_and_only_infrastructure_roles_see_nodes()
    {
        var tenants = await Tenants.CreateAsync(Root);
        await Root.Service<IRootStore>().AddEventAsync(
            new EventDocument { Time = DateTimeOffset.UtcNow, Kind = EventKinds.Node, Status = "inactive", Reason = "it went offline", NodeName = "vm-9" },
            default);
        var acmeService = tenants.ServiceIds[Tenants.Acme];
        var rootService = tenants.ServiceIds["root"];

        var admin = await EventsAsync(tenants.Admin);
        admin.ShouldContain(e => e.ServiceId == acmeService);
        admin.ShouldContain(e => e.ServiceId == rootService);
        admin.ShouldContain(e => e.Kind == EventKinds.Node);

        foreach (var user in new[] { "acme-ap", "acme-oa" })
        {
            var seen = await EventsAsync(await tenants.ClientAsync(user));
            seen.ShouldNotBeEmpty();
            seen.ShouldAllBe(e => e.ServiceId == acmeService, user);
        }

        var infrastructure = await EventsAsync(await tenants.ClientAsync("acme-ip"));
        infrastructure.ShouldHaveSingleItem().Kind.ShouldBe(EventKinds.Node);

        (await EventsAsync(await tenants.ClientAsync("acme-ap"), $"service={rootService}")).ShouldBeEmpty("another organization's service");
    }

    [Fact]
    public async Task A_stream_carries_only_what_its_reader_may_see()
    {
        var tenants = await Tenants.CreateAsync(Root);
        await using var acme = await EventStreamReader.OpenAsync(await tenants.ClientAsync("acme-ap"), "/api/v1/events?follow=true");
        await using var infrastructure = await EventStreamReader.OpenAsync(await tenants.ClientAsync("acme-ip"), "/api/v1/events?follow=true");

        await tenants.NewInstanceAsync("root");
        var acmeInstance = await tenants.NewInstanceAsync(Tenants.Acme);
        await Root.Service<IRootStore>().AddEventAsync(
            new EventDocument { Time = DateTimeOffset.UtcNow, Kind = EventKinds.Cluster, Status = "active", Reason = "linked", ClusterName = "edge-9" },
            default);

        await acme.NextAsync(e => e.InstanceNumber == acmeInstance && e.Status == "REQUESTED", Timeout, "acme's new instance");
        await infrastructure.NextAsync(e => e.Kind == EventKinds.Cluster, Timeout, "the cluster event");

        acme.Seen.ShouldAllBe(e => e.ServiceId == tenants.ServiceIds[Tenants.Acme]);
        infrastructure.Seen.ShouldAllBe(e => e.Kind == EventKinds.Cluster || e.Kind == EventKinds.Node);
    }

    private static Task<List<EventDocument>> EventsAsync(HttpClient client, string query = "") =>
        client.GetFromJsonAsync<List<EventDocument>>($"/api/v1/events?{query}", CanopyJson.Options)!;
}
