using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Canopy.Dashboard.Tests;

/// <summary>The Deploy page's form (hooks: textarea "Descriptor", button "Deploy").</summary>
internal static class DeployForm
{
    /// <summary>Goes to the Deploy page through the navigation.</summary>
    public static async Task OpenAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Deploy", Exact = true }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Deploy");
    }

    public static ILocator Descriptor(IPage page) => page.GetByLabel("Descriptor", new() { Exact = true });

    public static ILocator Button(IPage page) => page.GetByRole(AriaRole.Button, new() { Name = "Deploy", Exact = true });
}
