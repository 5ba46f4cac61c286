using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests.Dashboard;

/// <summary>Descriptors sent as YAML (application/yaml): the dashboard posts an uploaded YAML file as it is, and so can curl.</summary>
public sealed class YamlDescriptorTests : RootTestBase
{
    private const string Yaml = """
        sla_version: v2.0
        customerID: Admin
        applications:
          - application_name: yamlapp
            application_namespace: demo
            microservices:
              - microservice_name: web
                microservice_namespace: demo
                virtualization: exec
                code: ""
                cmd: ["sh", "-c", "sleep 60"]
                memory: 32
                vcpus: 1
                port: "18080"
        """;

    [Theory]
    [InlineData("application/yaml")]
    [InlineData("application/x-yaml")]
    [InlineData("text/yaml; charset=utf-8")]
    public async Task A_yaml_descriptor_creates_its_application(string contentType)
    {
        var response = await PostAsync("/api/application/", Yaml, contentType);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var application = (await response.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.ShouldHaveSingleItem();
        application.ApplicationName.ShouldBe("yamlapp");
        var service = await Root.GetAsync<ServiceDocument>($"/api/service/{application.Microservices.Single()}");
        service.Memory.ShouldBe(32);
        service.Port.ShouldBe("18080");
        service.Cmd.ShouldBe(["sh", "-c", "sleep 60"]);
    }

    [Fact]
    public async Task A_yaml_descriptor_with_errors_names_every_field_and_stores_nothing()
    {
        var bad = Yaml.Replace("memory: 32", "memory: -1").Replace("virtualization: exec", "virtualization: lxc");

        var problem = await (await PostAsync("/api/application/", bad, "application/yaml")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        problem.Errors().ShouldContain(e => e.StartsWith("applications[0].microservices[0].memory: ", StringComparison.Ordinal));
        problem.Errors().ShouldContain(e => e.StartsWith("applications[0].microservices[0].virtualization", StringComparison.Ordinal));
        (await Root.GetAsync<List<ApplicationDocument>>("/api/applications/")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Unreadable_yaml_is_a_400_naming_the_line()
    {
        var problem = await (await PostAsync("/api/application/", "sla_version: v2.0\napplications: [\n", "application/yaml"))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        problem.Detail().ShouldContain("not valid YAML");
        problem.Detail().ShouldContain("line ");
        (await Root.GetAsync<List<ApplicationDocument>>("/api/applications/")).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_empty_yaml_body_is_a_400()
    {
        var problem = await (await PostAsync("/api/application/", "", "application/yaml")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        problem.Detail().ShouldContain("empty");
    }

    [Fact]
    public async Task A_service_is_updated_with_yaml_fields()
    {
        var created = await PostAsync("/api/application/", Yaml, "application/yaml");
        var serviceId = (await created.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single().Microservices.Single();

        var response = await Root.Client.PutAsync($"/api/service/{serviceId}", new StringContent("memory: 48\n", Encoding.UTF8, "application/yaml"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await Root.GetAsync<ServiceDocument>($"/api/service/{serviceId}")).Memory.ShouldBe(48);
    }

    [Fact]
    public async Task The_descriptor_conversion_answers_yaml_as_json_and_stores_nothing()
    {
        var response = await PostAsync("/api/v1/descriptors/json", Yaml.Replace("memory: 32", "memory: -1"), "application/yaml");

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        json["sla_version"]!.GetValue<string>().ShouldBe("v2.0");
        var microservice = json["applications"]![0]!["microservices"]![0]!;
        microservice["memory"]!.GetValue<long>().ShouldBe(-1);
        microservice["code"]!.GetValue<string>().ShouldBe("");
        microservice["port"]!.GetValue<string>().ShouldBe("18080");
        (await Root.GetAsync<List<ApplicationDocument>>("/api/applications/")).ShouldBeEmpty();
    }

    [Fact]
    public async Task The_descriptor_conversion_needs_a_token()
    {
        using var anonymous = Root.Server.CreateClient();

        var response = await anonymous.PostAsync("/api/v1/descriptors/json", new StringContent(Yaml, Encoding.UTF8, "application/yaml"));

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    private Task<HttpResponseMessage> PostAsync(string path, string body, string contentType)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        return Root.Client.PostAsync(path, content);
    }
}
