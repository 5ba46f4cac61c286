using System.Net;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Core.States;
using Canopy.Root.Tests.Infrastructure;
using Canopy.Testing;
using static Canopy.Root.Tests.Infrastructure.Workloads;

namespace Canopy.Root.Tests.Events;

public class EventApiTests : RootTestBase
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private protected override void Tweak(RootOptions options) => options.EventKeepAlive = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Every_instance_transition_and_placement_is_an_event_with_its_reason()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        var (serviceId, number) = await DeployedOnAsync(Root, cluster);
        await ReportPlacedRunningKilledAsync(cluster, serviceId, number, "vm-2");

        var events = await Eventually.ValueAsync(() => EventsAsync(Root, $"service={serviceId}"), l => l.Any(e => e.Status == "DEAD"), "the DEAD event");

        events.Select(e => (e.Kind, e.Status)).ShouldBe([
            ("instance", "REQUESTED"), ("instance", "CLUSTER_SCHEDULED"), ("placement", "placed"),
            ("instance", "NODE_SCHEDULED"), ("placement", "placed"), ("instance", "RUNNING"), ("instance", "DEAD"),
        ]);
        events.Select(e => e.Id).ShouldBeInOrder(SortDirection.Ascending);
        events[2].Reason.ShouldBe("scheduled on cluster edge-1");
        events[4].Reason.ShouldBe("placed on node vm-2 by edge-1");
        var dead = events[^1];
        dead.Reason.ShouldBe("exited with code 137; restarting in 0.5 s");
        (dead.ServiceId, dead.InstanceNumber, dead.ServiceName, dead.ApplicationName).ShouldBe((serviceId, number, "web", "hello"));
        (dead.ClusterName, dead.NodeName).ShouldBe(("edge-1", "vm-2"));
        dead.ApplicationId.ShouldNotBeNullOrEmpty();
        dead.ClusterId.ShouldBe(cluster.Id);

        (await EventsAsync(Root, $"application={dead.ApplicationId}&kind=placement")).Count.ShouldBe(2);
        (await EventsAsync(Root, "node=vm-2&kind=instance")).Select(e => e.Status).ShouldBe(["NODE_SCHEDULED", "RUNNING", "DEAD"]);
        (await EventsAsync(Root, "cluster=edge-1&kind=instance")).Count.ShouldBe(4, "by cluster name");
        (await EventsAsync(Root, $"cluster={cluster.Id}&kind=instance")).Count.ShouldBe(4, "by cluster id");
        (await EventsAsync(Root, "limit=2&kind=instance")).Select(e => e.Status).ShouldBe(["RUNNING", "DEAD"], "the newest two, oldest first");
        (await EventsAsync(Root, $"after={events[4].Id}&kind=instance")).Select(e => e.Status).ShouldBe(["RUNNING", "DEAD"]);
        (await EventsAsync(Root, "service=nothing-like-it")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_placement_that_fails_says_why()
    {
        var serviceId = await CreateServiceAsync(Root);
        await AddInstanceAsync(Root, serviceId);

        var failed = await Eventually.ValueAsync(() => EventsAsync(Root, "kind=placement"), l => l.Count > 0, "a failed placement");

        failed.ShouldHaveSingleItem().Status.ShouldBe("failed");
        failed[0].Reason.ShouldStartWith("NoActiveClusterWithCapacity");
        failed[0].ServiceId.ShouldBe(serviceId);
    }

    [Fact]
    public async Task Follow_streams_the_backlog_then_each_new_event_as_it_is_stored()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        var (serviceId, number) = await DeployedOnAsync(Root, cluster);

        await using var stream = await EventStreamReader.OpenAsync(Root.Client, $"/api/v1/events?follow=true&service={serviceId}");
        stream.Response.Headers.CacheControl?.NoCache.ShouldBeTrue();
        var scheduled = await stream.NextAsync(e => e.Status == "CLUSTER_SCHEDULED", Timeout, "the backlog");
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, number, InstanceStatus.Running, "vm-2"));
        var running = await stream.NextAsync(e => e.Status == "RUNNING", Timeout, "RUNNING, live");
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, number, InstanceStatus.Dead, "vm-2", "exited with code 1"));
        var dead = await stream.NextAsync(e => e.Status == "DEAD", Timeout, "DEAD, live");

        stream.Seen.Select(e => e.Id).ShouldBeUnique();
        stream.Seen.Select(e => e.Id).ShouldBeInOrder(SortDirection.Ascending);
        stream.Seen.Select(e => e.Status).ShouldBe(["REQUESTED", "CLUSTER_SCHEDULED", "placed", "RUNNING", "DEAD"]);
        (scheduled.Id < running.Id && running.Id < dead.Id).ShouldBeTrue();
        dead.Reason.ShouldBe("exited with code 1");
    }

    [Fact]
    public async Task Last_Event_ID_resumes_after_the_last_event_seen()
    {
        var (cluster, serviceId, number) = await RunningOnAsync(Root, "edge-1");
        await using var _ = cluster;
        var all = await EventsAsync(Root, $"service={serviceId}");
        var lastSeen = all[1].Id;

        await using var stream = await EventStreamReader.OpenAsync(Root.Client, $"/api/v1/events?follow=true&service={serviceId}", lastSeen.ToString());
        await stream.NextAsync(e => e.Id == all[^1].Id, Timeout, "the rest of the backlog");
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, number, InstanceStatus.Dead, "a-1", "exited with code 2"));
        await stream.NextAsync(e => e.Status == "DEAD", Timeout, "DEAD");

        stream.Seen.Select(e => e.Id).ShouldBe([.. all.Skip(2).Select(e => e.Id), stream.Seen[^1].Id]);

        await using var fromQuery = await EventStreamReader.OpenAsync(Root.Client, $"/api/v1/events?follow=true&after={all[^1].Id}&service={serviceId}");
        (await fromQuery.NextAsync(_ => true, Timeout, "the first event after")).Status.ShouldBe("DEAD");
    }

    [Fact]
    public async Task An_idle_stream_gets_keep_alive_comments()
    {
        await using var stream = await EventStreamReader.OpenAsync(Root.Client, "/api/v1/events?follow=true&kind=node");

        await Wait.UntilAsync(() => Task.FromResult(stream.Comments >= 2), Timeout, "two keep-alive comments");
    }

    [Fact]
    public async Task The_stream_ends_when_the_root_stops()
    {
        var stream = await EventStreamReader.OpenAsync(Root.Client, "/api/v1/events?follow=true");
        await using (stream)
        {
            await Root.App.StopAsync();
            await stream.Ended.WaitAsync(Timeout);
        }
    }

    [Theory]
    [InlineData("kind=deploys", "kind: 'deploys' is not a kind of event; use one of instance, placement, node, cluster")]
    [InlineData("limit=0", "limit: '0' is not a number from 1 to 1000")]
    [InlineData("limit=1001", "limit: '1001' is not a number from 1 to 1000")]
    [InlineData("after=yesterday", "after: 'yesterday' is not an event id")]
    [InlineData("follow=maybe", "follow: 'maybe' is not true or false")]
    public async Task Bad_parameters_are_a_400_naming_them(string query, string message)
    {
        var problem = await (await Root.Client.GetAsync($"/api/v1/events?{query}")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        problem.Detail().ShouldContain(message);
    }

    [Fact]
    public async Task A_bad_Last_Event_ID_is_a_400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events?follow=true");
        request.Headers.Add("Last-Event-ID", "-1");

        var problem = await (await Root.Client.SendAsync(request)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        problem.Detail().ShouldContain("Last-Event-ID: '-1' is not an event id");
    }

    [Fact]
    public async Task Without_a_token_it_is_a_401()
    {
        using var anonymous = Root.Server.CreateClient();

        await (await anonymous.GetAsync("/api/v1/events?follow=true")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }
}
