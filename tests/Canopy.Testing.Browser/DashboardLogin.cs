using Microsoft.Playwright;

namespace Canopy.Testing.Browser;

/// <summary>The dashboard's login form, by its labels (the test hooks the dashboard keeps: "Username", "Password", "Log in").</summary>
public static class DashboardLogin
{
    /// <summary>Opens <c>/</c> and logs in; done when the form is gone.</summary>
    public static async Task OpenAndLogInAsync(IPage page, string user, string password)
    {
        await OpenAsync(page);
        await FillAsync(page, user, password);
        await Assertions.Expect(page.GetByLabel("Password", new() { Exact = true })).ToHaveCountAsync(0);
    }

    /// <summary>
    /// Opens <c>/</c>; done when the login form shows. Chromium drops a page load (or one of its scripts, leaving the page
    /// without its app) with ERR_NETWORK_CHANGED when the machine's interfaces change, and reloads by itself ("interrupted
    /// by another navigation"); a node starting an instance or a <c>canopy up</c> starting beside the test adds bridges,
    /// veths and addresses. So an interrupted load is waited out, a page without its form is loaded again (up to 3 times),
    /// and what it showed is in the error when the form never comes.
    /// </summary>
    public static async Task OpenAsync(IPage page)
    {
        var form = page.GetByLabel("Username", new() { Exact = true });
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await page.GotoAsync("/");
            }
            catch (PlaywrightException e) when (e.Message.Contains("interrupted by another navigation", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"the dashboard's load was interrupted (attempt {attempt}): {e.Message.Split('\n')[0]}");
            }

            try
            {
                await Assertions.Expect(form).ToBeVisibleAsync(new() { Timeout = 10_000 });
                return;
            }
            catch (PlaywrightException e) when (attempt < 3)
            {
                Console.Error.WriteLine($"the dashboard's login form did not show (attempt {attempt}): {e.Message.Split('\n')[0]}");
            }
            catch (PlaywrightException e)
            {
                var text = await page.EvaluateAsync<string>("() => document.body ? document.body.innerText : ''");
                throw new TimeoutException($"{e.Message}\nThe page at {page.Url} showed:\n{text}", e);
            }
        }
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
