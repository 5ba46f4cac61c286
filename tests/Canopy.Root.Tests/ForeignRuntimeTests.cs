using System.Net;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

/// <summary>Runtimes Oakestra runs and Canopy does not: accepted as Oakestra accepts them, placed nowhere, and saying why.</summary>
public sealed class ForeignRuntimeTests : RootTestBase
{
    [Fact]
    public async Task A_crosvm_service_is_accepted_with_warnings_and_waits_in_a_negative_state_that_names_the_runtime()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        var sla = Descriptors.WithMicroservice(ms =>
        {
            ms["virtualization"] = "crosvm";
            ms["code"] = "https://example.com/nginx_amd64.tar.gz";
            ms["arch"] = new System.Text.Json.Nodes.JsonArray("amd64");
            ms["vgpus"] = 1;
        });

        var response = await Root.PostJsonAsync("/api/application/", sla);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var application = (await response.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single();
        var warnings = application.Warnings.ShouldNotBeNull();
        warnings.ShouldContain(w => w.StartsWith("applications[0].microservices[0].virtualization: 'crosvm' is accepted but Canopy does not run it yet", StringComparison.Ordinal));
        warnings.ShouldContain(w => w.StartsWith("applications[0].microservices[0].vgpus: is accepted but not honoured", StringComparison.Ordinal));

        var serviceId = application.Microservices.Single();
        await Workloads.AddInstanceAsync(Root, serviceId);
        // The detail follows the cluster's reports: before its first one it offers nothing yet.
        var service = await Eventually.ValueAsync(
            () => Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}"),
            s => s.InstanceList is [{ Status: InstanceStatus.NoActiveClusterWithCapacity, StatusDetail: "no cluster offers runtime crosvm (clusters offer container, exec)" }],
            "the placement to fail naming the runtime");
        service.Virtualization.ShouldBe("crosvm");
        service.Status.ShouldBe("NoActiveClusterWithCapacity");
    }

    [Fact]
    public async Task Post_service_answers_the_warnings_too()
    {
        var created = await Root.PostJsonAsync("/api/application/", Descriptors.ExecHttpd);
        var applicationId = (await created.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single().ApplicationId;
        var sla = Descriptors.WithApplication(a =>
        {
            a["applicationID"] = applicationId;
            a["microservices"]![0]!["microservice_name"] = "gvisor";
            a["microservices"]![0]!["virtualization"] = "runsc";
        });

        var result = (await (await Root.PostJsonAsync("/api/service/", sla)).Content.ReadFromJsonAsync<ServiceDeploymentResponse>(CanopyJson.Options))!;

        result.DeployedServices.ShouldHaveSingleItem();
        result.Warnings.ShouldNotBeNull().ShouldContain(w => w.Contains("'runsc' is accepted but Canopy does not run it yet"));
    }

    [Fact]
    public async Task A_misspelt_runtime_is_still_a_400_with_a_suggestion_and_the_known_names()
    {
        var sla = Descriptors.WithMicroservice(ms => ms["virtualization"] = "unikernal");

        var problem = await (await Root.PostJsonAsync("/api/application/", sla)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        var error = problem.Errors().ShouldHaveSingleItem();
        error.ShouldContain("virtualization 'unikernal' is not known (did you mean \"unikernel\"?)");
        error.ShouldContain("container, docker, containerd, runc, exec");
        (await Root.GetAsync<List<ApplicationDocument>>("/api/applications/")).ShouldBeEmpty();
    }
}
