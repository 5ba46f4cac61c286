using Canopy.Contracts.Api;
using Canopy.Root.Replicas;
using Canopy.Root.Store;
using Canopy.Root.Tests.Infrastructure;
using Canopy.Testing;
using static Canopy.Root.Tests.Infrastructure.Workloads;

namespace Canopy.Root.Tests.Events;

/// <summary>Two root replicas on one PostgreSQL store: a follower's stream carries what the leader stores, and the other way round.</summary>
public sealed class FollowerEventTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_followers_stream_carries_the_leaders_events_and_the_leaders_stream_the_followers()
    {
        var store = await postgres.NewStoreUrlAsync();
        using var dirA = new TempDir();
        using var dirB = new TempDir();
        await using var leader = await StartAsync(dirA.Path, "https://replica-a.example:10000", store);
        await Wait.UntilAsync(() => Task.FromResult(leader.Service<RootLeadership>().IsLeader), Timeout, "replica a to lead");
        await using var follower = await StartAsync(dirB.Path, "https://replica-b.example:10000", store);
        await Wait.UntilAsync(() => Task.FromResult(follower.Service<RootLeadership>().Leader is { } l && !follower.Service<RootLeadership>().IsLeader),
            Timeout, "replica b to follow");

        await using var atFollower = await EventStreamReader.OpenAsync(follower.Client, "/api/v1/events?follow=true");
        await using var atLeader = await EventStreamReader.OpenAsync(leader.Client, "/api/v1/events?follow=true");
        await leader.Service<IRootStore>().AddEventAsync(
            new EventDocument { Time = DateTimeOffset.UtcNow, Kind = EventKinds.Node, Status = "inactive", Reason = "it went offline", NodeName = "vm-1" },
            default);
        var serviceId = await CreateServiceAsync(follower);
        await AddInstanceAsync(follower, serviceId);

        await atFollower.NextAsync(e => e.Kind == EventKinds.Node, Timeout, "the leader's node event at the follower");
        await atFollower.NextAsync(e => e.ServiceId == serviceId && e.Status == "REQUESTED", Timeout, "the follower's own instance event");
        await atLeader.NextAsync(e => e.ServiceId == serviceId && e.Status == "REQUESTED", Timeout, "the follower's instance event at the leader");
        await atLeader.NextAsync(e => e.ServiceId == serviceId && e.Kind == EventKinds.Placement, Timeout, "the leader's placement");
        await atFollower.NextAsync(e => e.ServiceId == serviceId && e.Kind == EventKinds.Placement, Timeout, "the leader's placement at the follower");
    }

    private static async Task<RootHost> StartAsync(string dir, string url, string store) =>
        await (await RootHost.StartAsync(dir, o =>
        {
            o.Store = store;
            o.ReplicaUrl = url;
        })).AsAdminAsync();
}
