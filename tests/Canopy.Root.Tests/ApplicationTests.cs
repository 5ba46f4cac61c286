using System.Net;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

public class ApplicationTests : RootTestBase
{
    [Fact]
    public async Task Posting_the_exec_example_creates_the_application_and_its_service_without_instances()
    {
        var response = await Root.PostJsonAsync("/api/application/", Descriptors.ExecHttpd);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var applications = (await response.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!;
        var application = applications.ShouldHaveSingleItem();
        application.ApplicationName.ShouldBe("hello");
        application.ApplicationNamespace.ShouldBe("demo");
        application.UserId.ShouldBe("Admin");
        application.ApplicationId.Length.ShouldBe(24);
        var serviceId = application.Microservices.ShouldHaveSingleItem();

        var service = await Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}");
        service.MicroserviceId.ShouldBe(serviceId);
        service.ApplicationId.ShouldBe(application.ApplicationId);
        service.JobName.ShouldBe("hello.demo.web.demo");
        service.Virtualization.ShouldBe("exec");
        service.Memory.ShouldBe(64);
        service.Instances.ShouldBe(1);
        service.InstanceList.ShouldBeEmpty();
        service.Addresses!.RrIp.ShouldStartWith("10.30.");
    }

    [Fact]
    public async Task Unknown_fields_of_a_microservice_are_kept()
    {
        var sla = Descriptors.WithMicroservice(ms => ms["my_label"] = "blue");

        var applications = await CreateAsync(sla);

        var service = await Root.GetAsync<ServiceDocument>($"/api/service/{applications[0].Microservices[0]}");
        service.Extra!["my_label"].GetString().ShouldBe("blue");
    }

    [Fact]
    public async Task The_application_and_service_lists_show_what_was_created()
    {
        var application = (await CreateAsync(Descriptors.ExecHttpd)).Single();

        (await Root.GetAsync<List<ApplicationDocument>>("/api/applications/")).ShouldHaveSingleItem().ApplicationId.ShouldBe(application.ApplicationId);
        (await Root.GetAsync<ApplicationDocument>($"/api/application/{application.ApplicationId}")).ApplicationName.ShouldBe("hello");
        (await Root.GetAsync<List<ServiceDocument>>($"/api/services/{application.ApplicationId}")).ShouldHaveSingleItem()
            .MicroserviceName.ShouldBe("web");
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[]")]
    [InlineData("")]
    public async Task Malformed_json_is_a_400_problem_and_stores_nothing(string body)
    {
        var response = await Root.PostJsonAsync("/api/application/", body);

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).Errors().ShouldNotBeEmpty();
        await ShouldHaveNoApplicationsAsync();
    }

    [Fact]
    public async Task A_wrongly_typed_field_is_a_400_naming_its_path()
    {
        var sla = Descriptors.WithMicroservice(ms => ms["memory"] = "lots");

        var problem = await (await Root.PostJsonAsync("/api/application/", sla)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        problem.Errors().ShouldContain(e => e.StartsWith("applications[0].microservices[0].memory", StringComparison.Ordinal));
        await ShouldHaveNoApplicationsAsync();
    }

    [Fact]
    public async Task Every_missing_required_field_is_listed()
    {
        var sla = Descriptors.WithMicroservice(ms =>
        {
            ms.Remove("microservice_name");
            ms.Remove("virtualization");
        });

        var problem = await (await Root.PostJsonAsync("/api/application/", sla)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        problem.Errors().ShouldContain(e => e.StartsWith("applications[0].microservices[0].microservice_name", StringComparison.Ordinal));
        problem.Errors().ShouldContain(e => e.StartsWith("applications[0].microservices[0].virtualization", StringComparison.Ordinal));
        await ShouldHaveNoApplicationsAsync();
    }

    [Fact]
    public async Task An_invalid_name_is_a_400_naming_its_path()
    {
        var sla = Descriptors.WithApplication(a => a["application_name"] = "test.special.char");

        var problem = await (await Root.PostJsonAsync("/api/application/", sla)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        problem.Errors().ShouldContain(e => e.StartsWith("applications[0].application_name", StringComparison.Ordinal));
        await ShouldHaveNoApplicationsAsync();
    }

    [Fact]
    public async Task An_unknown_virtualization_is_a_400_naming_its_path()
    {
        var sla = Descriptors.WithMicroservice(ms => ms["virtualization"] = "teleport");

        var problem = await (await Root.PostJsonAsync("/api/application/", sla)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        problem.Errors().ShouldContain(e => e.StartsWith("applications[0].microservices[0].virtualization", StringComparison.Ordinal));
        await ShouldHaveNoApplicationsAsync();
    }

    [Fact]
    public async Task The_same_application_twice_is_a_409_and_the_first_stays_alone()
    {
        await CreateAsync(Descriptors.ExecHttpd);

        var response = await Root.PostJsonAsync("/api/application/", Descriptors.ExecHttpd);

        (await response.ShouldBeProblemAsync(HttpStatusCode.Conflict)).Detail().ShouldContain("already exists");
        (await Root.GetAsync<List<ApplicationDocument>>("/api/applications/")).Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("/api/application/0123456789abcdef01234567")]
    [InlineData("/api/service/0123456789abcdef01234567")]
    [InlineData("/api/services/0123456789abcdef01234567")]
    [InlineData("/api/v1/services/0123456789abcdef01234567/instances")]
    public async Task Unknown_ids_are_a_404_problem_naming_the_id(string path)
    {
        var problem = await (await Root.Client.GetAsync(path)).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        problem.Detail().ShouldContain("0123456789abcdef01234567");
    }

    [Fact]
    public async Task Adding_an_instance_to_an_unknown_service_is_a_404()
    {
        var response = await Root.Client.PostAsync("/api/service/0123456789abcdef01234567/instance", null);

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_user_of_another_organization_does_not_see_the_application()
    {
        var application = (await CreateAsync(Descriptors.ExecHttpd)).Single();
        (await Root.Client.PostAsJsonAsync("/api/organization/", new { name = "acme" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Root.Client.PostAsJsonAsync("/api/auth/register",
                new { name = "alice", password = "pw-alice-long-1", roles = new[] { "Application_Provider" }, organization = "acme" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        using var alice = Root.Server.CreateClient();
        alice.DefaultRequestHeaders.Authorization = new("Bearer", (await Root.LoginAsync("alice", "pw-alice-long-1")).Token);

        await (await alice.GetAsync($"/api/application/{application.ApplicationId}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await alice.GetAsync($"/api/service/{application.Microservices[0]}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await alice.DeleteAsync($"/api/application/{application.ApplicationId}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await alice.GetFromJsonAsync<List<ApplicationDocument>>("/api/applications/", CanopyJson.Options))!.ShouldBeEmpty();
        await (await alice.GetAsync("/api/users/")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Post_service_adds_a_microservice_to_an_existing_application()
    {
        var application = (await CreateAsync(Descriptors.ExecHttpd)).Single();
        var sla = Descriptors.WithApplication(a =>
        {
            a["applicationID"] = application.ApplicationId;
            var ms = a["microservices"]![0]!.AsObject();
            ms["microservice_name"] = "api";
        });

        var response = await Root.PostJsonAsync("/api/service/", sla);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = (await response.Content.ReadFromJsonAsync<ServiceDeploymentResponse>(CanopyJson.Options))!;
        result.DeployedServices.ShouldHaveSingleItem().ServiceName.ShouldBe("api");
        result.FailedServices.ShouldBeEmpty();
        (await Root.GetAsync<ApplicationDocument>($"/api/application/{application.ApplicationId}")).Microservices.Count.ShouldBe(2);
        (await Root.GetAsync<ServiceDocument>($"/api/service/{result.JobId}")).JobName.ShouldBe("hello.demo.api.demo");

        // The same again: the name is taken now, so it fails alone.
        var again = (await (await Root.PostJsonAsync("/api/service/", sla)).Content.ReadFromJsonAsync<ServiceDeploymentResponse>(CanopyJson.Options))!;
        again.FailedServices.ShouldHaveSingleItem().Status.ShouldBe(409);
    }

    [Fact]
    public async Task Put_application_renames_it_and_its_job_names()
    {
        var application = (await CreateAsync(Descriptors.ExecHttpd)).Single();

        var response = await Root.PutJsonAsync($"/api/application/{application.ApplicationId}", """{"application_name":"renamed"}""");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Root.GetAsync<ServiceDocument>($"/api/service/{application.Microservices[0]}")).JobName.ShouldBe("renamed.demo.web.demo");
        var bad = await Root.PutJsonAsync($"/api/application/{application.ApplicationId}", """{"application_name":"bad name"}""");
        await bad.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Deleting_an_application_without_instances_removes_it_at_once()
    {
        var application = (await CreateAsync(Descriptors.ExecHttpd)).Single();

        (await Root.Client.DeleteAsync($"/api/application/{application.ApplicationId}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await ShouldHaveNoApplicationsAsync();
        await (await Root.Client.GetAsync($"/api/service/{application.Microservices[0]}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    private async Task<List<ApplicationDocument>> CreateAsync(string sla)
    {
        var response = await Root.PostJsonAsync("/api/application/", sla);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!;
    }

    private async Task ShouldHaveNoApplicationsAsync() =>
        (await Root.GetAsync<List<ApplicationDocument>>("/api/applications/")).ShouldBeEmpty();
}
