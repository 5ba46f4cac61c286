using Canopy.Testing;
using Canopy.Testing.Browser;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Canopy.Dashboard.Tests;

/// <summary>The root serves the dashboard at <c>/</c>, on the API's port and TLS: the login page, then the signed-in pages.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardServedTests(DashboardStack stack)
{
    public static readonly string[] Navigation = ["Overview", "Applications", "Deploy", "Join tokens"];

    [Fact]
    public async Task Root_ServesLoginPage_LoggingInShowsNavigation()
    {
        await using var tab = await stack.OpenAsync();
        var page = tab.Page;

        var response = await page.GotoAsync("/");
        response.ShouldNotBeNull();
        response.Status.ShouldBe(200);
        (await response.HeaderValueAsync("content-type")).ShouldNotBeNull().ShouldStartWith("text/html");
        await Expect(page.GetByLabel("Username", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Password", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("h1")).ToHaveCountAsync(1);
        await Screenshots.SaveAsync(page, "login");

        await DashboardLogin.FillAsync(page, DashboardStack.Admin, CanopyProcess.AdminPassword);
        foreach (var name in Navigation)
        {
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true })).ToBeVisibleAsync();
        }

        await Expect(page.Locator("h1")).ToHaveCountAsync(1);
        await Screenshots.SaveAsync(page, "overview");
    }

    [Fact]
    public async Task WrongPassword_StaysOnLogin()
    {
        await using var tab = await stack.OpenAsync();
        await DashboardLogin.OpenAsync(tab.Page);
        await DashboardLogin.FillAsync(tab.Page, DashboardStack.Admin, "not-the-password");

        await Expect(tab.Page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await Expect(tab.Page.GetByLabel("Password", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(tab.Page.GetByRole(AriaRole.Link, new() { Name = "Deploy", Exact = true })).ToBeHiddenAsync();
    }
}
