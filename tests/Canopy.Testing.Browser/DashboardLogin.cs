using Microsoft.Playwright;

namespace Canopy.Testing.Browser;

/// <summary>The dashboard's login form, by its labels (the test hooks the dashboard keeps: "Username", "Password", "Log in").</summary>
public static class DashboardLogin
{
    /// <summary>Opens <c>/</c> and logs in; done when the form is gone.</summary>
    public static async Task OpenAndLogInAsync(IPage page, string user, string password)
    {
        await page.GotoAsync("/");
        await FillAsync(page, user, password);
        await Assertions.Expect(page.GetByLabel("Password", new() { Exact = true })).ToHaveCountAsync(0);
    }

    /// <summary>Fills the form within <paramref name="scope"/> (the page, or the "Log in again" dialog) and submits it.</summary>
    public static async Task FillAsync(IPage page, string user, string password, ILocator? scope = null)
    {
        var form = scope ?? page.Locator("body");
        await form.GetByLabel("Username", new() { Exact = true }).FillAsync(user);
        await form.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await form.GetByRole(AriaRole.Button, new() { Name = "Log in", Exact = true }).ClickAsync();
    }
}
