using Canopy.Core.States;
using Canopy.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Canopy.Dashboard.Tests;

/// <summary>A descriptor uploaded as a file (the YAML example): read into the form, deployed, and its job runs to COMPLETED.</summary>
[Collection(DashboardCollection.Name)]
public sealed class UploadTests(DashboardStack stack)
{
    [Fact]
    public async Task UploadYamlExample_Deploys_AndTheJobCompletes()
    {
        await using var tab = await stack.LoggedInAsync();
        var page = tab.Page;
        await DeployForm.OpenAsync(page);
        var example = Repo.Example("one-shot.yaml");
        await page.GetByLabel("Upload descriptor", new() { Exact = true }).SetInputFilesAsync(example);
        await Expect(DeployForm.Descriptor(page)).ToHaveValueAsync(await File.ReadAllTextAsync(example));
        await DeployForm.Button(page).ClickAsync();

        await Expect(page.Locator("h1")).ToContainTextAsync("batch");
        var service = await stack.Api.ServiceOfAsync("batch");
        await page.GetByRole(AriaRole.Link, new() { Name = "count", Exact = true }).ClickAsync();
        await Expect(Rows.Status(page, service.MicroserviceId, 0)).ToHaveTextAsync("COMPLETED", new() { Timeout = 60_000 });
        (await stack.Api.ServiceAsync(service.MicroserviceId)).InstanceList.Single().Status.ShouldBe(InstanceStatus.Completed);
        (await stack.Api.DeleteAsync($"api/application/{service.ApplicationId}")).EnsureSuccessStatusCode();
    }
}
