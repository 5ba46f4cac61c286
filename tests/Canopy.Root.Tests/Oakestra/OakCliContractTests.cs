using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Canopy.Contracts.Link;
using Canopy.Core.States;
using Canopy.Root.Tests.Infrastructure;
using Canopy.Testing.Oakestra;

namespace Canopy.Root.Tests.Oakestra;

/// <summary>
/// Every answer the <c>oak</c> CLI reads, decoded into its own structs (see <see cref="OakJson"/>): one field of a wrong type
/// would fail its command. And every call it makes answers 200, the only status it takes for success.
/// </summary>
public sealed class OakCliContractTests : RootTestBase
{
    [Fact]
    public async Task Applications_services_and_instances_decode_into_the_oak_CLIs_structs()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        cluster.Answer = r => r.Kind == LinkRequestKinds.Logs
            ? new LinkResponse(r.RequestId, true, JsonSerializer.SerializeToElement(new { text = "listening on 18080\nGET / 200" }))
            : null;
        var oak = new OakClient(Root.Client);

        // oak application create / list / show, without the trailing slash the CLI leaves out.
        var application = (await oak.PostAsync<List<OakApplication>>("/api/application", Descriptors.ExecHttpd)).ShouldHaveSingleItem();
        var serviceId = application.Microservices.ShouldHaveSingleItem();
        (await oak.GetAsync<List<OakApplication>>("/api/applications")).ShouldHaveSingleItem().ApplicationId.ShouldBe(application.ApplicationId);
        var shown = await oak.GetAsync<OakApplication>($"/api/application/{application.ApplicationId}");
        (shown.ApplicationName, shown.ApplicationNamespace).ShouldBe(("hello", "demo"));
        shown.ApplicationDesc.ShouldStartWith("A static web page");

        // oak service deploy: one instance, which the cluster runs and measures.
        await oak.DoAsync(HttpMethod.Post, $"/api/service/{serviceId}/instance");
        var number = (await cluster.NextAsync(LinkMessageTypes.Deploy)).Read<DeployInstance>().InstanceNumber;
        var running = Workloads.Report(serviceId, number, InstanceStatus.Running, "a-1");
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, running);
        await cluster.SendAsync(LinkMessageTypes.InstanceMetrics, new InstanceMetrics([running with { CpuPercent = 12.5, Memory = 20, MemoryPercent = 3.25 }]));

        // oak service inspect / logs by id: GET /api/service/{id}.
        var service = await Eventually.ValueAsync(
            () => oak.GetAsync<OakService>($"/api/service/{serviceId}"),
            s => s.InstanceList is [{ CpuPercent: "12.5", Logs.Length: > 0 }], "the instance's metrics and logs");
        service.ShouldSatisfyAllConditions(
            s => s.MicroserviceId.ShouldBe(serviceId),
            s => (s.MicroserviceName, s.MicroserviceNamespace).ShouldBe(("web", "demo")),
            s => s.ApplicationId.ShouldBe(application.ApplicationId),
            s => (s.ApplicationName, s.ApplicationNamespace, s.AppName, s.AppNs).ShouldBe(("hello", "demo", "hello", "demo")),
            s => s.Status.ShouldBe("RUNNING"),
            s => (s.Virtualization, s.Port, s.Code).ShouldBe(("exec", "18080", "")),
            s => (s.Memory, s.Vcpus, s.Vgpus).ShouldBe((64, 1, 0)),
            s => s.RrIp.ShouldStartWith("10.30."));
        var instance = service.InstanceList.ShouldHaveSingleItem();
        instance.ShouldSatisfyAllConditions(
            i => i.InstanceNumber.ShouldBe(number),
            i => i.Status.ShouldBe("RUNNING"),
            i => (i.HostIp, i.HostPort, i.PublicIp).ShouldBe(("192.168.1.5", 18080, "192.168.1.5")),
            i => (i.ClusterId, i.ClusterLocation).ShouldBe((cluster.Id, "48.1,11.6")),
            i => i.WorkerId.ShouldBe("id-a-1"),
            i => (i.CpuPercent, i.MemoryPercent, i.Disk).ShouldBe(("12.5", "3.25", "0")),
            i => i.CpuHistory.ShouldNotBeEmpty(),
            i => i.CpuHistory[^1].Value.ShouldBe("12.5"),
            i => i.MemoryHistory[^1].Value.ShouldBe("3.25"),
            i => DateTimeOffset.Parse(i.CpuHistory[^1].Timestamp, CultureInfo.InvariantCulture).ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-1)),
            i => i.Logs.ShouldBe("listening on 18080\nGET / 200"));

        // oak service show: every service, and those of one application.
        (await oak.GetAsync<List<OakService>>("/api/services/")).ShouldHaveSingleItem().ApplicationName.ShouldBe("hello");
        (await oak.GetAsync<List<OakService>>("/api/services")).ShouldHaveSingleItem().MicroserviceId.ShouldBe(serviceId);
        (await oak.GetAsync<List<OakService>>($"/api/services/{application.ApplicationId}")).ShouldHaveSingleItem()
            .InstanceList.ShouldHaveSingleItem().Logs.ShouldNotBeEmpty();

        // A service named by its name: the CLI tries it as an id first and needs a failure to search by name.
        (await oak.SendAsync(HttpMethod.Get, "/api/service/web")).Status.ShouldNotBe(HttpStatusCode.OK);

        // oak service undeploy, oak application delete.
        await oak.DoAsync(HttpMethod.Delete, $"/api/service/{serviceId}/instance/{number}");
        await oak.DoAsync(HttpMethod.Delete, $"/api/application/{application.ApplicationId}");
    }

    [Fact]
    public async Task Clusters_decode_into_the_oak_CLIs_struct()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        var oak = new OakClient(Root.Client);
        await Eventually.ValueAsync(() => oak.GetAsync<List<OakCluster>>("/api/clusters/active"), l => l.Count == 1, "the cluster's first report");

        foreach (var path in (string[])["/api/clusters/", "/api/clusters/active", "/api/clusters"])
        {
            var listed = (await oak.GetAsync<List<OakCluster>>(path)).ShouldHaveSingleItem();
            listed.ShouldSatisfyAllConditions(
                c => (c.ClusterId, c.ClusterName, c.CandidateName).ShouldBe((cluster.Id, "edge-1", "edge-1")),
                c => c.Active.ShouldBeTrue(),
                c => c.ClusterLocation.ShouldBe("48.1,11.6"),
                c => (c.ActiveNodes, c.TotalCpuCores, c.Vcpus, c.MemoryInMb).ShouldBe((1, 8, 8, 8192)),
                c => (c.CpuPercent, c.MemoryPercent).ShouldBe((3.5, 20.0)),
                c => c.Virtualization.ShouldBe(["exec", "container"]),
                c => c.Port.ValueKind.ShouldBe(JsonValueKind.Number),
                c => c.LastModifiedTimestamp.ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds()));
        }
    }

    [Fact]
    public async Task A_cluster_without_a_location_still_has_the_field()
    {
        (await Root.Client.PostAsJsonAsync("/api/v1/clusters/register", new { cluster_name = "bare", join_token = RootHost.JoinToken, secret = FakeCluster.SecretOf("bare") }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        using var clusters = JsonDocument.Parse(await new OakClient(Root.Client).DoAsync(HttpMethod.Get, "/api/clusters/"));

        var bare = clusters.RootElement.EnumerateArray().Single();
        bare.GetProperty("cluster_location").GetString().ShouldBe("");
        foreach (var field in (string[])["candidate_name", "ip", "port", "vcpus", "memory", "cpu_percent", "memory_percent", "total_gpu_cores",
                     "virtualization", "supported_addons", "csi_drivers", "last_modified_timestamp"])
        {
            bare.TryGetProperty(field, out _).ShouldBeTrue($"/api/clusters/ lacks {field}");
        }

        bare.GetProperty("last_modified_timestamp").ValueKind.ShouldBe(JsonValueKind.Number);
    }

    [Theory]
    [InlineData("""{"host_port": "18080"}""")]
    [InlineData("""{"cpu_percent": 12.5}""")]
    [InlineData("""{"instance_number": 1.0}""")]
    [InlineData("""{"cpu_history": [{"value": 1, "timestamp": "t"}]}""")]
    public void The_mirror_fails_on_a_wrong_type_as_the_oak_CLI_does(string json)
    {
        Should.Throw<JsonException>(() => OakJson.Decode<OakServiceInstance>(json));
    }
}
