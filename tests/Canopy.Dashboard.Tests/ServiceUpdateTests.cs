using Canopy.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Canopy.Dashboard.Tests;

/// <summary>A service's descriptor changed on its page: "Update" is offered once it differs, and the API then has the change.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ServiceUpdateTests(DashboardStack stack)
{
    [Fact]
    public async Task ChangedDescriptor_Update_ChangesTheService()
    {
        var serviceId = await SleeperApplication.CreateAsync(stack.Api, "updated", "e2e");
        await using var tab = await stack.LoggedInAsync();
        var page = tab.Page;
        await page.GotoAsync($"/#/services/{serviceId}");

        var update = page.GetByRole(AriaRole.Button, new() { Name = "Update", Exact = true });
        var descriptor = page.Locator("form", new() { Has = update }).Locator("textarea");
        await Expect(update).ToBeDisabledAsync();
        var text = await descriptor.InputValueAsync();
        text.ShouldContain("\"memory\": 16");
        await descriptor.FillAsync(text.Replace("\"memory\": 16", "\"memory\": 24", StringComparison.Ordinal));
        await Expect(update).ToBeEnabledAsync();
        await Screenshots.SaveAsync(page, "service-update");
        await update.ClickAsync();

        await Wait.UntilAsync(async () => (await stack.Api.ServiceAsync(serviceId)).Memory == 24, TimeSpan.FromSeconds(20), "the service's memory to be 24 MB");
        (await stack.Api.DeleteAsync($"api/application/{(await stack.Api.ServiceAsync(serviceId)).ApplicationId}")).EnsureSuccessStatusCode();
    }
}
