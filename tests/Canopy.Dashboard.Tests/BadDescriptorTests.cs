using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Canopy.Dashboard.Tests;

/// <summary>A descriptor with several errors: each of the API's errors is shown at the field it names, and nothing is stored.</summary>
[Collection(DashboardCollection.Name)]
public sealed class BadDescriptorTests(DashboardStack stack)
{
    private const string Json = """
    {
      "sla_version": "v2.0",
      "customerID": "Admin",
      "applications": [{
        "application_name": "broken",
        "application_namespace": "e2e",
        "microservices": [
          {"microservice_name": "web", "microservice_namespace": "e2e", "virtualization": "exec", "cmd": ["sh", "-c", "sleep 60"], "memory": -64, "vcpus": -1},
          {"microservice_name": "db", "microservice_namespace": "e2e", "virtualization": "teleport", "memory": 32, "vcpus": 1}
        ]
      }]
    }
    """;

    private const string Yaml = """
    sla_version: v2.0
    customerID: Admin
    applications:
      - application_name: broken
        application_namespace: e2e
        microservices:
          - microservice_name: web
            microservice_namespace: e2e
            virtualization: exec
            cmd: [sh, -c, sleep 60]
            memory: -64
            vcpus: -1
          - microservice_name: db
            microservice_namespace: e2e
            virtualization: teleport
            memory: 32
            vcpus: 1
    """;

    [Theory]
    [InlineData("json")]
    [InlineData("yaml")]
    public async Task Deploy_DescriptorWithErrors_ShowsEachAtItsFieldAndStoresNothing(string format)
    {
        var descriptor = format == "json" ? Json : Yaml;
        var before = (await stack.Api.ApplicationsAsync()).Count;
        var paths = await ErrorPathsAsync(descriptor, format == "json" ? "application/json" : "application/yaml");
        paths.ShouldContain("applications[0].microservices[0].memory");
        paths.ShouldContain("applications[0].microservices[0].vcpus");
        paths.ShouldContain("applications[0].microservices[1].virtualization");

        await using var tab = await stack.LoggedInAsync();
        var page = tab.Page;
        await DeployForm.OpenAsync(page);
        await DeployForm.Descriptor(page).FillAsync(descriptor);
        await DeployForm.Button(page).ClickAsync();

        await Expect(page.Locator("p.field-error")).ToHaveCountAsync(paths.Count);
        foreach (var path in paths.Distinct())
        {
            // At its place: inside the rendered field of that path, not in a list of messages apart.
            var here = page.Locator($"[data-path='{path}'] p.field-error[data-path='{path}']");
            await Expect(here).ToHaveCountAsync(paths.Count(p => p == path));
            await Expect(here.First).ToBeVisibleAsync();
        }

        await Expect(DeployForm.Descriptor(page)).ToHaveValueAsync(descriptor);
        await Screenshots.SaveAsync(page, $"deploy-errors-{format}");
        var after = await stack.Api.ApplicationsAsync();
        after.Count.ShouldBe(before);
        after.ShouldNotContain(a => a.ApplicationName == "broken");
    }

    /// <summary>The field path of each error the API's own answer names (its problem+json <c>errors</c>: "path: message"); the API stores nothing either.</summary>
    private async Task<List<string>> ErrorPathsAsync(string descriptor, string contentType)
    {
        using var response = await stack.Api.PostAsync("api/application/", new StringContent(descriptor, Encoding.UTF8, contentType));
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(400, body);
        using var problem = JsonDocument.Parse(body);
        return problem.RootElement.GetProperty("errors").EnumerateArray()
            .Select(e => e.GetString()!)
            .Select(e => e[..e.IndexOf(": ", StringComparison.Ordinal)])
            .ToList();
    }
}
