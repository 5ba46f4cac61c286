using System.Net;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Core.States;

namespace Canopy.Root.Tests.Infrastructure;

/// <summary>Creates the example service, adds instances, and builds the reports a cluster would send about them.</summary>
internal static class Workloads
{
    public static async Task<string> CreateServiceAsync(RootHost root)
    {
        var response = await root.PostJsonAsync("/api/application/", Descriptors.ExecHttpd);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single().Microservices.Single();
    }

    public static async Task<int> AddInstanceAsync(RootHost root, string serviceId)
    {
        var response = await root.Client.PostAsync($"/api/service/{serviceId}/instance", null);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<InstanceAddedResponse>(CanopyJson.Options))!.InstanceNumber;
    }

    public static InstanceReport Report(string serviceId, int number, InstanceStatus status, string node = "node-a", string? detail = null) => new()
    {
        ServiceId = serviceId,
        InstanceNumber = number,
        Status = status,
        StatusDetail = detail,
        NodeId = $"id-{node}",
        NodeName = node,
        HostIp = "192.168.1.5",
        HostPort = "18080",
        Timestamp = DateTimeOffset.UtcNow,
    };

    /// <summary>One instance of a new example service, placed by the root on <paramref name="cluster"/> (its deploy received).</summary>
    public static async Task<(string ServiceId, int Number)> DeployedOnAsync(RootHost root, FakeCluster cluster)
    {
        // Its first resources report must have been read, or a busy root may try to place the instance before it knows the cluster.
        await Eventually.ValueAsync(() => root.GetAsync<List<ClusterDocument>>("/api/clusters/active"),
            l => l.Any(c => c.Id == cluster.Id), $"cluster {cluster.Name} active");
        var serviceId = await CreateServiceAsync(root);
        var number = await AddInstanceAsync(root, serviceId);
        (await cluster.NextAsync(LinkMessageTypes.Deploy)).Read<DeployInstance>().InstanceNumber.ShouldBe(number);
        return (serviceId, number);
    }

    /// <summary>What a cluster reports of an instance it placed on <paramref name="node"/>, ran, and saw killed (exit code 137).</summary>
    public static async Task ReportPlacedRunningKilledAsync(FakeCluster cluster, string serviceId, int number, string node)
    {
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, number, InstanceStatus.NodeScheduled, node, $"placed on node {node}"));
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, number, InstanceStatus.Running, node));
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus,
            Report(serviceId, number, InstanceStatus.Dead, node, "exited with code 137; restarting in 0.5 s") with { ExitCode = 137 });
    }

    /// <summary>A cluster connected to the root, with one instance of the example service deployed there and reported RUNNING.</summary>
    public static async Task<(FakeCluster Cluster, string ServiceId, int Number)> RunningOnAsync(RootHost root, string clusterName)
    {
        var cluster = await FakeCluster.ConnectAsync(root, clusterName);
        var (serviceId, number) = await DeployedOnAsync(root, cluster);
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, number, InstanceStatus.Running, "a-1"));
        await Eventually.ValueAsync(() => DetailAsync(root, serviceId, number), d => d.Status == InstanceStatus.Running, $"running on {clusterName}");
        return (cluster, serviceId, number);
    }

    public static Task<InstanceDetailDocument> DetailAsync(RootHost root, string serviceId, int number) =>
        root.GetAsync<InstanceDetailDocument>($"/api/v1/services/{serviceId}/instances/{number}");

    /// <summary><c>GET /api/v1/events?{query}</c> as the root's logged-in client.</summary>
    public static async Task<List<EventDocument>> EventsAsync(RootHost root, string query) =>
        (await root.Client.GetFromJsonAsync<List<EventDocument>>($"/api/v1/events?{query}", CanopyJson.Options))!;
}
