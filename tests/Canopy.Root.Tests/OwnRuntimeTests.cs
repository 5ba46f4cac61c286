using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Core.States;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

/// <summary>wasm and vm (Oakestra's unikernel) are Canopy's runtimes: accepted without warnings, placed only where offered, and the SLA's arch is honoured.</summary>
public sealed class OwnRuntimeTests : RootTestBase
{
    [Fact]
    public async Task A_wasm_service_on_a_fleet_without_wasm_waits_in_a_negative_state_naming_wasm_and_why_a_cluster_cannot_run_it()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        await cluster.SendResourcesAsync(unavailableRuntimes: new JsonObject { ["wasm"] = "node w1: wasmtime is not installed" });
        var application = await DeployAsync(ms =>
        {
            ms["virtualization"] = "wasm";
            ms["code"] = "https://example.com/hello.wasm";
        });
        application.Warnings?.ShouldNotContain(w => w.Contains("virtualization"));

        var serviceId = application.Microservices.Single();
        await Workloads.AddInstanceAsync(Root, serviceId);

        var service = await Eventually.ValueAsync(
            () => Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}"),
            s => s.InstanceList is [{ Status: InstanceStatus.NoActiveClusterWithCapacity, StatusDetail: not null }] &&
                 s.InstanceList[0].StatusDetail!.Contains("wasmtime", StringComparison.Ordinal),
            "the placement to fail naming the runtime and the node's reason");
        service.InstanceList[0].StatusDetail.ShouldBe(
            "no cluster offers runtime wasm (clusters offer container, exec): edge-1 has no usable wasm runtime (node w1: wasmtime is not installed)");
    }

    [Fact]
    public async Task A_unikernel_service_is_accepted_and_sent_to_a_vm_cluster_as_vm_with_its_arch_and_images()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        await cluster.SendResourcesAsync(virtualization: ["exec", "vm"], architecture: ["amd64", "arm64"]);
        var application = await DeployAsync(ms =>
        {
            ms["virtualization"] = "unikernel";
            ms["code"] = "";
            ms["arch"] = new JsonArray("x86_64", "aarch64");
            ms["vm_images"] = new JsonArray("https://example.com/k-amd64", "https://example.com/k-arm64");
        });
        (application.Warnings ?? []).ShouldNotContain(w => w.Contains("virtualization") || w.Contains("arch") || w.Contains("vm_images"));

        var serviceId = application.Microservices.Single();
        var number = await Workloads.AddInstanceAsync(Root, serviceId);

        var deploy = (await cluster.NextAsync(LinkMessageTypes.Deploy)).Read<DeployInstance>();
        deploy.InstanceNumber.ShouldBe(number);
        deploy.Service.Virtualization.ShouldBe("vm");
        deploy.Service.Arch.ShouldBe(["amd64", "arm64"]);
        deploy.Service.VmImages.ShouldBe(["https://example.com/k-amd64", "https://example.com/k-arm64"]);
    }

    [Fact]
    public async Task A_service_for_an_architecture_no_cluster_has_waits_in_a_negative_state_naming_the_architecture()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        var application = await DeployAsync(ms => ms["arch"] = new JsonArray("arm64"));
        var serviceId = application.Microservices.Single();

        await Workloads.AddInstanceAsync(Root, serviceId);

        await Eventually.ValueAsync(
            () => Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}"),
            s => s.InstanceList is [{ Status: InstanceStatus.NoActiveClusterWithCapacity, StatusDetail: "no cluster has architecture arm64 (clusters have amd64)" }],
            "the placement to fail naming the architecture");
    }

    [Fact]
    public async Task An_unknown_architecture_is_a_400_naming_it_and_the_known_ones()
    {
        var sla = Descriptors.WithMicroservice(ms => ms["arch"] = new JsonArray("sparc"));

        var problem = await (await Root.PostJsonAsync("/api/application/", sla)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        problem.Errors().ShouldHaveSingleItem().ShouldContain("arch[0]: \"sparc\" is not an architecture Canopy knows; use one of amd64, arm64");
    }

    private async Task<ApplicationDocument> DeployAsync(Action<JsonObject> edit)
    {
        var response = await Root.PostJsonAsync("/api/application/", Descriptors.WithMicroservice(edit));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single();
    }
}
