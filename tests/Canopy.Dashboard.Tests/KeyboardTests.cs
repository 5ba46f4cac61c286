using Canopy.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Canopy.Dashboard.Tests;

/// <summary>The dashboard with the keyboard alone: log in, move between pages, deploy, and delete after a confirmation.</summary>
[Collection(DashboardCollection.Name)]
public sealed class KeyboardTests(DashboardStack stack)
{
    [Fact]
    public async Task LogInNavigateDeployAndDelete_WithTheKeyboardAlone()
    {
        await using var tab = await stack.OpenAsync();
        var page = tab.Page;
        await Canopy.Testing.Browser.DashboardLogin.OpenAsync(page);

        await Keyboard.TabToAsync(page, page.GetByLabel("Username", new() { Exact = true }));
        await page.Keyboard.TypeAsync(DashboardStack.Admin);
        await Keyboard.TabToAsync(page, page.GetByLabel("Password", new() { Exact = true }));
        await page.Keyboard.TypeAsync(CanopyProcess.AdminPassword);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#main")).ToBeFocusedAsync();

        foreach (var name in DashboardServedTests.Navigation)
        {
            await Keyboard.TabToAsync(page, page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }));
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.Locator("h1")).ToHaveCountAsync(1);
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true })).ToHaveAttributeAsync("aria-current", "page");
            // The page has loaded when it moves the focus to its content; the next Tab starts from there.
            await Expect(page.Locator("#main")).ToBeFocusedAsync();
        }

        await Keyboard.TabToAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Deploy", Exact = true }));
        await page.Keyboard.PressAsync("Enter");
        await Keyboard.TabToAsync(page, DeployForm.Descriptor(page));
        await page.Keyboard.InsertTextAsync("""
            {"sla_version": "v2.0", "customerID": "Admin", "applications": [{"application_name": "keys", "application_namespace": "e2e",
              "microservices": [{"microservice_name": "svc", "microservice_namespace": "e2e", "virtualization": "exec",
                "cmd": ["sh", "-c", "exec sleep 3600"], "memory": 16, "vcpus": 0.05}]}]}
            """);
        await Keyboard.TabToAsync(page, DeployForm.Button(page));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("h1")).ToContainTextAsync("keys");
        await Screenshots.SaveAsync(page, "keyboard-application");

        // Delete: Escape keeps it, then the dialog's Delete removes it.
        var delete = page.GetByRole(AriaRole.Button, new() { Name = "Delete application", Exact = true });
        await Keyboard.TabToAsync(page, delete);
        await page.Keyboard.PressAsync("Enter");
        var dialog = page.Locator("dialog[open]");
        await Expect(dialog).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToHaveCountAsync(0);
        (await stack.Api.ApplicationsAsync()).ShouldContain(a => a.ApplicationName == "keys");

        await Keyboard.TabToAsync(page, delete);
        await page.Keyboard.PressAsync("Enter");
        await Keyboard.TabToAsync(page, dialog.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }), presses: 5);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Applications");
        await Wait.UntilAsync(async () => !(await stack.Api.ApplicationsAsync()).Any(a => a.ApplicationName == "keys"), TimeSpan.FromSeconds(30), "the application to be deleted");
    }
}
