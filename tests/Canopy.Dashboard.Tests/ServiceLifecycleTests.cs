using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Canopy.Dashboard.Tests;

/// <summary>
/// The walk through the dashboard, in one tab that is never reloaded: deploy the exec example, see it RUNNING, kill
/// its process and see the instance's event and its restart, scale to 2, delete.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class ServiceLifecycleTests(DashboardStack stack)
{
    [Fact]
    public async Task DeployExecExample_LiveStatus_KilledProcessEvent_ScaleToTwo_Delete()
    {
        await using var tab = await stack.LoggedInAsync();
        var page = tab.Page;
        await NoReload.MarkAsync(page);

        // Deploy: the example pasted as a user would.
        await DeployForm.OpenAsync(page);
        await DeployForm.Descriptor(page).FillAsync(ExecExample.Descriptor(FreePort.Block(2)));
        await Screenshots.SaveAsync(page, "deploy");
        await DeployForm.Button(page).ClickAsync();

        // The application's page, then its service's: the instance turns RUNNING on the page by itself.
        await Expect(page.Locator("h1")).ToContainTextAsync(ExecExample.Application);
        var service = await stack.Api.ServiceOfAsync(ExecExample.Application);
        await Screenshots.SaveAsync(page, "application");
        await page.GetByRole(AriaRole.Link, new() { Name = ExecExample.Service, Exact = true }).ClickAsync();
        var first = Rows.Status(page, service.MicroserviceId, 0);
        await Expect(first).ToHaveTextAsync("RUNNING", new() { Timeout = 60_000 });
        await Screenshots.SaveAsync(page, "service");

        // Kill the instance's process: its DEAD event shows in the events list, then it runs again (restarted by the node).
        var seen = await page.Locator("ol[aria-label='Events'] > li[data-event-id]").CountAsync();
        var pid = (await stack.Api.ServiceAsync(service.MicroserviceId)).InstanceList.Single().Pid.ShouldNotBeNull();
        Signals.KillWorkload(pid);
        await Expect(page.Locator($"ol[aria-label='Events'] > li[data-kind='{EventKinds.Instance}'][data-status='DEAD']")).ToHaveCountAsync(1);
        (await page.Locator("ol[aria-label='Events'] > li[data-event-id]").CountAsync()).ShouldBeGreaterThan(seen);
        await Wait.UntilAsync(async () => (await stack.Api.ServiceAsync(service.MicroserviceId)).InstanceList.Single() is { RestartCount: 1, Status: InstanceStatus.Running },
            TimeSpan.FromSeconds(30), "the killed instance to run again");
        await Expect(first).ToHaveTextAsync("RUNNING");
        await Screenshots.SaveAsync(page, "service-after-kill");

        // The instance's own page: its events and log tail.
        await page.GetByRole(AriaRole.Link, new() { Name = "#0", Exact = true }).ClickAsync();
        await Expect(page.Locator("ol[aria-label='Events'] > li[data-status='DEAD']")).ToHaveCountAsync(1);
        await Screenshots.SaveAsync(page, "instance");
        await page.GoBackAsync();

        // Scale to 2: a second row appears and runs.
        await page.GetByLabel("Instances", new() { Exact = true }).FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Scale", Exact = true }).ClickAsync();
        await Expect(Rows.Status(page, service.MicroserviceId, 1)).ToHaveTextAsync("RUNNING", new() { Timeout = 60_000 });
        await Expect(first).ToHaveTextAsync("RUNNING");
        await Screenshots.SaveAsync(page, "service-scaled");

        // Delete, confirmed in a dialog: the service is gone from the API and from the page.
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete service", Exact = true }).ClickAsync();
        var confirm = page.Locator("dialog[open]");
        await Expect(confirm).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "service-delete-confirm");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(page.Locator("h1")).ToContainTextAsync(ExecExample.Application);
        await Expect(page.Locator($"tr[data-service-id='{service.MicroserviceId}']")).ToHaveCountAsync(0);
        await Wait.UntilAsync(async () => (await stack.Api.ApplicationsAsync()).Single(a => a.ApplicationName == ExecExample.Application).Microservices.Count == 0,
            TimeSpan.FromSeconds(30), "the service to be deleted");

        await NoReload.CheckAsync(page);
        await DeleteApplicationAsync(ExecExample.Application);
    }

    private async Task DeleteApplicationAsync(string name)
    {
        var app = (await stack.Api.ApplicationsAsync()).Single(a => a.ApplicationName == name);
        (await stack.Api.DeleteAsync($"api/application/{app.ApplicationId}")).EnsureSuccessStatusCode();
    }
}
