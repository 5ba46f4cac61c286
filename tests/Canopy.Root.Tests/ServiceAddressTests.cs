using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

/// <summary>
/// An SLA's rr_ip is the service's address, as in Oakestra: honoured when free, the deployment refused otherwise; its closest_ip
/// (which Oakestra documents and Canopy routes) is checked the same way.
/// </summary>
public class ServiceAddressTests : RootTestBase
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

    [Theory]
    [InlineData("rr_ip", "10.30.1.1")]
    [InlineData("closest_ip", "10.30.2.2")]
    public async Task Two_services_of_one_descriptor_cannot_share_an_address(string field, string address)
    {
        var sla = Descriptors.WithApplication(a =>
        {
            var services = a["microservices"]!.AsArray();
            services[0]!["addresses"] = new JsonObject { [field] = address };
            var second = services[0]!.DeepClone().AsObject();
            second["microservice_name"] = "api";
            services.Add(second);
        });

        var problem = await (await Root.PostJsonAsync("/api/application/", sla)).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        problem.Errors().ShouldHaveSingleItem().ShouldStartWith($"applications[0].microservices[1].addresses.{field}: {address} is already");
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

    [Fact]
    public async Task A_free_closest_ip_is_the_services_second_address_and_earns_no_warning()
    {
        var application = await CreateAsync(WithAddresses("10.30.30.30", "10.30.30.31"));

        var service = await Root.GetAsync<ServiceDocument>($"/api/service/{application.Microservices[0]}");
        (service.RrIp, service.ClosestIp, service.Addresses!.ClosestIp).ShouldBe(("10.30.30.30", "10.30.30.31", "10.30.30.31"));
        application.Warnings.ShouldBeNull();
    }

    [Fact]
    public async Task A_closest_ip_outside_the_pool_refuses_the_deployment_with_a_400_naming_the_field()
    {
        var response = await Root.PostJsonAsync("/api/application/", WithAddresses(null, "10.31.0.1"));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.Errors().ShouldHaveSingleItem().ShouldBe(
            "applications[0].microservices[0].addresses.closest_ip: 10.31.0.1 is outside the service IP range 10.30.0.0/16; " +
            "name a free address in it, or leave closest_ip out");
        (await Root.GetAsync<List<ApplicationDocument>>("/api/applications/")).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("10.30.30.30", null, null, "10.30.30.30")]
    [InlineData(null, "10.30.30.31", null, "10.30.30.31")]
    [InlineData(null, "10.30.30.31", "10.30.30.31", null)]
    public async Task An_address_another_service_has_as_rr_ip_or_closest_ip_is_refused_with_a_409(
        string? firstRr, string? firstClosest, string? secondRr, string? secondClosest)
    {
        await CreateAsync(WithAddresses(firstRr, firstClosest));

        var response = await Root.PostJsonAsync("/api/application/", WithAddresses(secondRr, secondClosest, "other"));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        var field = secondRr is null ? "closest_ip" : "rr_ip";
        problem.Errors().ShouldHaveSingleItem().ShouldStartWith(
            $"applications[0].microservices[0].addresses.{field}: {secondRr ?? secondClosest} is already the address of another service");
        (await Root.GetAsync<List<ApplicationDocument>>("/api/applications/")).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_closest_ip_equal_to_the_services_own_rr_ip_is_a_400()
    {
        var response = await Root.PostJsonAsync("/api/application/", WithAddresses("10.30.30.30", "10.30.30.30"));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.Errors().ShouldHaveSingleItem().ShouldStartWith(
            "applications[0].microservices[0].addresses.closest_ip: 10.30.30.30 is also the service's rr_ip; a service's closest_ip must be another address");
    }

    [Fact]
    public async Task An_allocated_rr_ip_avoids_the_addresses_the_same_request_names()
    {
        // 10.30.0.1 is the pool's first free address: the first service must not take it from the second.
        var sla = Descriptors.WithApplication(a =>
        {
            var services = a["microservices"]!.AsArray();
            var second = services[0]!.DeepClone().AsObject();
            second["microservice_name"] = "api";
            second["addresses"] = new JsonObject { ["closest_ip"] = "10.30.0.1" };
            services.Add(second);
        });

        var application = await CreateAsync(sla);

        var services = await Root.GetAsync<List<ServiceDocument>>($"/api/services/{application.ApplicationId}");
        services.Single(s => s.MicroserviceName == "api").ClosestIp.ShouldBe("10.30.0.1");
        services.Single(s => s.MicroserviceName == "web").RrIp.ShouldNotBe("10.30.0.1");
    }

    [Fact]
    public async Task A_deleted_services_closest_ip_is_free_again()
    {
        var first = await CreateAsync(WithAddresses(null, "10.30.30.31"));
        (await Root.Client.DeleteAsync($"/api/application/{first.ApplicationId}")).EnsureSuccessStatusCode();

        var again = await CreateAsync(WithAddresses(null, "10.30.30.31", "other"));

        (await Root.GetAsync<ServiceDocument>($"/api/service/{again.Microservices[0]}")).ClosestIp.ShouldBe("10.30.30.31");
    }

    [Fact]
    public async Task Changing_a_services_closest_ip_to_a_taken_one_is_refused_and_keeps_the_old()
    {
        await CreateAsync(WithAddresses("10.30.30.30", null));
        var second = await CreateAsync(WithAddresses("10.30.30.40", "10.30.30.41", "other"));
        var serviceId = second.Microservices[0];

        var refused = await Root.PutJsonAsync($"/api/service/{serviceId}", """{"addresses": {"rr_ip": "10.30.30.40", "closest_ip": "10.30.30.30"}}""");
        var moved = await Root.PutJsonAsync($"/api/service/{serviceId}", """{"addresses": {"rr_ip": "10.30.30.40", "closest_ip": "10.30.30.42"}}""");

        (await refused.ShouldBeProblemAsync(HttpStatusCode.Conflict)).Errors().ShouldHaveSingleItem().ShouldStartWith("microservice.addresses.closest_ip");
        moved.StatusCode.ShouldBe(HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
        (await Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}")).ClosestIp.ShouldBe("10.30.30.42");
    }

    private static string WithAddresses(string? rrIp, string? closestIp, string? applicationName = null) =>
        Descriptors.WithMicroservice(ms =>
        {
            var addresses = new JsonObject();
            if (rrIp is not null)
            {
                addresses["rr_ip"] = rrIp;
            }

            if (closestIp is not null)
            {
                addresses["closest_ip"] = closestIp;
            }

            ms["addresses"] = addresses;
        }, applicationName);

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
