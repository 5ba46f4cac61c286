using Microsoft.Playwright;

namespace Canopy.Dashboard.Tests;

/// <summary>Proves a page was never reloaded: a mark left on its window survives navigation inside the app, not a reload.</summary>
internal static class NoReload
{
    private const string Mark = "__canopyTestNoReload";

    public static Task MarkAsync(IPage page) => page.EvaluateAsync($"() => {{ window.{Mark} = true; }}");

    public static async Task CheckAsync(IPage page) =>
        (await page.EvaluateAsync<bool>($"() => window.{Mark} === true")).ShouldBeTrue("the page was reloaded: the dashboard must update by itself (server push)");
}
