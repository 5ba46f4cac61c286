using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

/// <summary>An SLA's rr_ip is the service's address, as in Oakestra: honoured when free, the deployment refused otherwise.</summary>
public sealed class ServiceAddressTests : RootTestBase
{
    [Fact]
    public async Task A_free_rr_ip_in_the_pool_becomes_the_services_address()
    {
        var application = await CreateAsync(WithRrIp("10.30.30.30"));

        var service = await Root.GetAsync<ServiceDocument>($"/api/service/{application.Microservices[0]}");
        service.RrIp.ShouldBe("10.30.30.30");
        service.Addresses!.RrIp.ShouldBe("10.30.30.30");
        application.Warnings.ShouldBeNull();
    }

    [Fact]
    public async Task Without_an_rr_ip_the_service_gets_one_from_the_pool()
    {
        var application = await CreateAsync(Descriptors.ExecHttpd);

        (await Root.GetAsync<ServiceDocument>($"/api/service/{application.Microservices[0]}")).RrIp.ShouldNotBeNull().ShouldStartWith("10.30.");
    }

    [Fact]
    public async Task An_rr_ip_outside_the_pool_refuses_the_deployment_and_stores_nothing()
    {
        var response = await Root.PostJsonAsync("/api/application/", WithRrIp("192.168.178.4"));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.Errors().ShouldHaveSingleItem().ShouldBe(
            "applications[0].microservices[0].addresses.rr_ip: 192.168.178.4 is outside the service IP range 10.30.0.0/16; " +
            "name a free address in it, or leave rr_ip out to get one");
        (await Root.GetAsync<List<ApplicationDocument>>("/api/applications/")).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_rr_ip_another_service_has_refuses_the_deployment_with_a_409()
    {
        await CreateAsync(WithRrIp("10.30.30.30"));

        var response = await Root.PostJsonAsync("/api/application/", WithRrIp("10.30.30.30", "other"));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        problem.Detail().ShouldContain("10.30.30.30 is already the address of another service");
        (await Root.GetAsync<List<ApplicationDocument>>("/api/applications/")).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Two_services_of_one_descriptor_cannot_share_an_rr_ip()
    {
        var sla = Descriptors.WithApplication(a =>
        {
            var services = a["microservices"]!.AsArray();
            services[0]!["addresses"] = new JsonObject { ["rr_ip"] = "10.30.1.1" };
            var second = services[0]!.DeepClone().AsObject();
            second["microservice_name"] = "api";
            services.Add(second);
        });

        var problem = await (await Root.PostJsonAsync("/api/application/", sla)).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        problem.Errors().ShouldHaveSingleItem().ShouldStartWith("applications[0].microservices[1].addresses.rr_ip");
    }

    [Fact]
    public async Task Post_service_with_a_taken_rr_ip_fails_that_service_alone()
    {
        var application = await CreateAsync(WithRrIp("10.30.30.30"));
        var sla = Descriptors.WithApplication(a =>
        {
            a["applicationID"] = application.ApplicationId;
            var services = a["microservices"]!.AsArray();
            services[0]!["microservice_name"] = "api";
            services[0]!["addresses"] = new JsonObject { ["rr_ip"] = "10.30.30.30" };
            var free = services[0]!.DeepClone().AsObject();
            free["microservice_name"] = "db";
            free["addresses"] = new JsonObject { ["rr_ip"] = "10.30.30.31" };
            services.Add(free);
        });

        var response = await Root.PostJsonAsync("/api/service/", sla);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = (await response.Content.ReadFromJsonAsync<ServiceDeploymentResponse>(CanopyJson.Options))!;
        var failed = result.FailedServices.ShouldHaveSingleItem();
        (failed.ServiceName, failed.Status).ShouldBe(("api", 409));
        failed.Message.ShouldContain("10.30.30.30 is already the address of another service");
        result.DeployedServices.ShouldHaveSingleItem().ServiceName.ShouldBe("db");
        (await Root.GetAsync<ServiceDocument>($"/api/service/{result.JobId}")).RrIp.ShouldBe("10.30.30.31");
    }

    [Fact]
    public async Task Changing_a_services_rr_ip_to_a_taken_one_is_refused_and_keeps_the_old()
    {
        await CreateAsync(WithRrIp("10.30.30.30"));
        var second = await CreateAsync(WithRrIp("10.30.30.31", "other"));
        var serviceId = second.Microservices[0];

        var response = await Root.PutJsonAsync($"/api/service/{serviceId}", """{"addresses": {"rr_ip": "10.30.30.30"}}""");

        await response.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        (await Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}")).RrIp.ShouldBe("10.30.30.31");
    }

    private static string WithRrIp(string rrIp, string? applicationName = null) =>
        Descriptors.WithMicroservice(ms => ms["addresses"] = new JsonObject { ["rr_ip"] = rrIp }, applicationName);

    private async Task<ApplicationDocument> CreateAsync(string sla)
    {
        var response = await Root.PostJsonAsync("/api/application/", sla);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var name = JsonNode.Parse(sla)!["applications"]![0]!["application_name"]!.GetValue<string>();
        return (await response.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single(a => a.ApplicationName == name);
    }
}
